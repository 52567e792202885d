package io.keepwell.it.soak;

import io.keepwell.http.HttpRequest.BodyPublisher;
import io.keepwell.http.HttpRequest.BodyPublishers;
import io.keepwell.it.support.ChaosServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The request bodies the soak sends: every body publisher Keepwell has, with known and unknown
 * lengths, emitting on the caller's thread and on another. Each body is the pattern
 * {@link ChaosServer#body(long, int)} of its request's id, so the server can check that each
 * execution received the whole body, unchanged, whichever kind produced it and however often it
 * was replayed.
 */
final class SoakBodies implements AutoCloseable {

    /** How a request body is produced. */
    enum Kind {
        /** {@code ofByteArray}: the one kind the soak sent before streamed bodies were added. */
        BYTES,
        /** {@code ofInputStream}: chunked, read by the client on its I/O thread. */
        INPUT_STREAM,
        /** {@code ofPublisher} with its length, emitting from inside {@code request(n)}. */
        PUBLISHER_SYNC_KNOWN,
        /** {@code ofPublisher} of unknown length (chunked), emitting from inside {@code request(n)}. */
        PUBLISHER_SYNC_UNKNOWN,
        /** {@code ofPublisher} with its length, emitting on another thread. */
        PUBLISHER_ASYNC_KNOWN,
        /** {@code ofPublisher} of unknown length, emitting on another thread. */
        PUBLISHER_ASYNC_UNKNOWN,
        /** {@code ofFile}: zero copy over plain TCP, through the TLS engine over https. */
        FILE
    }

    private static final Kind[] KINDS = Kind.values();
    /** File lengths: empty, tiny, around one and several socket writes. */
    private static final int[] FILE_LENGTHS = {0, 1, 700, 16 * 1024 + 3, 60 * 1024};

    private final Executor async;
    private final Path dir;
    private final Map<Long, Path> files = new ConcurrentHashMap<>();
    private final AtomicLong subscriptions = new AtomicLong();

    SoakBodies(Executor async) throws IOException {
        this.async = async;
        this.dir = Files.createTempDirectory("keepwell-soak-bodies");
    }

    static Kind draw(SplittableRandom random) {
        // half the bodies are streamed: the paths the soak did not walk before
        return random.nextBoolean() ? Kind.BYTES : KINDS[1 + random.nextInt(KINDS.length - 1)];
    }

    /** A length for a body of {@code kind}: files come in a few sizes, the rest up to 64 KiB, mostly small. */
    static int length(Kind kind, SplittableRandom random) {
        if (kind == Kind.FILE) {
            return FILE_LENGTHS[random.nextInt(FILE_LENGTHS.length)];
        }
        return random.nextInt(10) == 0 ? random.nextInt(64 * 1024) : random.nextInt(2048);
    }

    /** The body of request {@code id}, {@code length} bytes, produced as {@code kind} says. */
    BodyPublisher publisher(Kind kind, long id, int length, SplittableRandom random) {
        return switch (kind) {
            case BYTES -> BodyPublishers.ofByteArray(ChaosServer.body(id, length));
            case INPUT_STREAM -> BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(ChaosServer.body(id, length)));
            case PUBLISHER_SYNC_KNOWN -> BodyPublishers.ofPublisher(new PatternPublisher(id, length, random.nextInt(4096) + 1, null), length);
            case PUBLISHER_SYNC_UNKNOWN -> BodyPublishers.ofPublisher(new PatternPublisher(id, length, random.nextInt(4096) + 1, null), -1);
            case PUBLISHER_ASYNC_KNOWN -> BodyPublishers.ofPublisher(new PatternPublisher(id, length, random.nextInt(4096) + 1, async), length);
            case PUBLISHER_ASYNC_UNKNOWN -> BodyPublishers.ofPublisher(new PatternPublisher(id, length, random.nextInt(4096) + 1, async), -1);
            case FILE -> {
                try {
                    yield BodyPublishers.ofFile(file(id, length));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** How many times any soak publisher was subscribed to. */
    long subscriptions() {
        return subscriptions.get();
    }

    /**
     * The pattern repeats every 26 bytes, so one file per residue of the id and length serves
     * every request with that residue.
     */
    private Path file(long id, int length) throws IOException {
        long key = (id % 26) * 1_000_000L + length;
        Path existing = files.get(key);
        if (existing != null) {
            return existing;
        }
        synchronized (files) {
            Path again = files.get(key);
            if (again != null) {
                return again;
            }
            Path path = dir.resolve("body-" + (id % 26) + "-" + length);
            Files.write(path, ChaosServer.body(id % 26, length));
            files.put(key, path);
            return path;
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * A cold publisher of one request's body pattern: every subscriber gets the whole body from
     * its first byte, in chunks of {@code chunk} bytes, only as far as it asked. With no
     * executor it emits from inside {@code request(n)}, as many simple publishers do.
     */
    private final class PatternPublisher implements Flow.Publisher<ByteBuffer> {
        private final long id;
        private final int length;
        private final int chunk;
        private final Executor executor;

        PatternPublisher(long id, int length, int chunk, Executor executor) {
            this.id = id;
            this.length = length;
            this.chunk = chunk;
            this.executor = executor;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            subscriptions.incrementAndGet();
            subscriber.onSubscribe(new Emission(subscriber));
        }

        /** One subscription; a drain loop that only one thread runs at a time. */
        private final class Emission implements Flow.Subscription {
            private final Flow.Subscriber<? super ByteBuffer> subscriber;
            private final AtomicLong demand = new AtomicLong();
            private final AtomicInteger wip = new AtomicInteger();
            private final AtomicBoolean done = new AtomicBoolean();
            private int sent; // drain loop only

            Emission(Flow.Subscriber<? super ByteBuffer> subscriber) {
                this.subscriber = subscriber;
            }

            @Override
            public void request(long n) {
                if (n <= 0) {
                    if (done.compareAndSet(false, true)) {
                        subscriber.onError(new IllegalArgumentException("request(" + n + ")"));
                    }
                    return;
                }
                demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                if (executor == null) {
                    drain();
                } else {
                    executor.execute(this::drain);
                }
            }

            @Override
            public void cancel() {
                done.set(true);
            }

            private void drain() {
                if (wip.getAndIncrement() != 0) {
                    return;
                }
                int missed = 1;
                do {
                    while (!done.get() && sent < length && demand.get() > 0) {
                        int n = Math.min(chunk, length - sent);
                        byte[] bytes = new byte[n];
                        for (int i = 0; i < n; i++) {
                            bytes[i] = ChaosServer.bodyByte(id, sent + i);
                        }
                        sent += n;
                        demand.decrementAndGet();
                        subscriber.onNext(ByteBuffer.wrap(bytes));
                    }
                    if (sent >= length && done.compareAndSet(false, true)) {
                        subscriber.onComplete();
                    }
                    missed = wip.addAndGet(-missed);
                } while (missed != 0);
            }
        }
    }
}
