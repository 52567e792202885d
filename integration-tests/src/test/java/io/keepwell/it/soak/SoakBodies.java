package io.keepwell.it.soak;

import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import io.keepwell.it.support.ChaosServer;
import io.keepwell.it.support.PatternPublisher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
        /** The JDK's {@code ofFile}: read in chunks through the publisher. */
        FILE,
        /** {@code KeepwellBodyPublishers.ofFile}: zero copy over plain TCP, through the TLS engine over https. */
        FILE_ZERO_COPY;

        /** A publisher's body cannot be produced again, so its request is never replayed once written. */
        boolean fromPublisher() {
            return name().startsWith("PUBLISHER");
        }
    }

    private static final Kind[] KINDS = Kind.values();
    /** File lengths: empty, tiny, around one and several socket writes. */
    private static final int[] FILE_LENGTHS = {0, 1, 700, 16 * 1024 + 3, 60 * 1024};

    private final Executor async;
    private final Path dir;
    private final Map<Long, Path> files = new ConcurrentHashMap<>();

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
        if (kind == Kind.FILE || kind == Kind.FILE_ZERO_COPY) {
            return FILE_LENGTHS[random.nextInt(FILE_LENGTHS.length)];
        }
        return random.nextInt(10) == 0 ? random.nextInt(64 * 1024) : random.nextInt(2048);
    }

    /** The body of request {@code id}, {@code length} bytes, produced as {@code kind} says. */
    BodyPublisher publisher(Kind kind, long id, int length, SplittableRandom random) {
        return switch (kind) {
            case BYTES -> BodyPublishers.ofByteArray(ChaosServer.body(id, length));
            case INPUT_STREAM -> BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(ChaosServer.body(id, length)));
            case PUBLISHER_SYNC_KNOWN, PUBLISHER_SYNC_UNKNOWN, PUBLISHER_ASYNC_KNOWN, PUBLISHER_ASYNC_UNKNOWN -> {
                Executor emitter = kind == Kind.PUBLISHER_ASYNC_KNOWN || kind == Kind.PUBLISHER_ASYNC_UNKNOWN ? async : null;
                boolean known = kind == Kind.PUBLISHER_SYNC_KNOWN || kind == Kind.PUBLISHER_ASYNC_KNOWN;
                PatternPublisher pattern = PatternPublisher.of(id, length, random.nextInt(4096) + 1, emitter);
                yield known && length > 0 ? BodyPublishers.fromPublisher(pattern, length) : BodyPublishers.fromPublisher(pattern);
            }
            case FILE, FILE_ZERO_COPY -> {
                try {
                    Path file = file(id, length);
                    yield kind == Kind.FILE ? BodyPublishers.ofFile(file) : io.keepwell.http.KeepwellBodyPublishers.ofFile(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
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
}
