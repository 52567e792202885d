package io.keepwell.netty.handler;

import io.keepwell.http.HttpProtocolException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.ConnState;
import io.keepwell.pool.PoolStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Feeds thousands of byte-level mutations of valid responses, in random slices, through the real
 * pipeline on an {@code EmbeddedChannel}, then closes the peer. Properties, for every case: no
 * exception escapes the pipeline; the response future completes, with a response or with
 * {@link HttpProtocolException} or {@link PrematureCloseException} only; a failed exchange never
 * leaves its connection pooled; a connection that was pooled serves a following valid response
 * correctly; every inbound buffer is released.
 *
 * <p>Seeded: the seed is printed, and {@code -Dkeepwell.fuzz.seed=N} replays a run
 * ({@code -Dkeepwell.fuzz.case=I} just its case I). The run stops after
 * {@code keepwell.fuzz.iterations} cases (3000) or {@code keepwell.fuzz.millis} (6000 ms), whichever comes first.
 */
class ExchangeReaderFuzzTest {

    private static final String[] CORPUS = {
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
            "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"e\"\r\n\r\n",
            "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc",
            "HTTP/1.0 200 OK\r\n\r\nclose delimited",
            "HTTP/1.1 404 Not Found\r\nKeep-Alive: timeout=5, max=3\r\nContent-Length: 9\r\n\r\nnot found",
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Folded: a\r\n b\r\n\r\n\u0000\u00ff\r\n",
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    };

    private static final String[] TOKENS = {
            "\r\n", "\n", "\r", " ", ":", "\u0000", "\u00ff", "-", "+", "0", "9", ",", ";", "\t",
            "Content-Length: 7\r\n", "Content-Length: -1\r\n", "Content-Length: 3, 4\r\n",
            "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip\r\n", "Connection: close\r\n",
            "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 101 Switching Protocols\r\n\r\n", "HTTP/1.1 200 OK\r\n",
            "ffffffff\r\n", "0\r\n\r\n", "\r\n\r\n",
    };

    private static final String NEXT_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext";

    @Test
    void mutatedResponsesFailTypedCompleteAndLeakNothing() {
        long seed = Long.getLong("keepwell.fuzz.seed", System.nanoTime());
        int iterations = Integer.getInteger("keepwell.fuzz.iterations", 3000);
        long millis = Long.getLong("keepwell.fuzz.millis", 6000);
        Integer only = Integer.getInteger("keepwell.fuzz.case");
        System.out.println("ExchangeReaderFuzzTest seed=" + seed + " (replay with -Dkeepwell.fuzz.seed=" + seed + ")");
        long deadline = System.nanoTime() + millis * 1_000_000;
        int run = 0;
        int[] outcomes = new int[4]; // ok and pooled, ok and closed, protocol error, premature close
        for (int i = only != null ? only : 0; i < (only != null ? only + 1 : iterations); i++) {
            if (only == null && System.nanoTime() - deadline > 0) {
                break;
            }
            runCase(seed, i, outcomes);
            run++;
        }
        System.out.println("ExchangeReaderFuzzTest ran " + run + " cases: ok+pooled " + outcomes[0] + ", ok+closed " + outcomes[1]
                + ", protocol error " + outcomes[2] + ", premature close " + outcomes[3]);
    }

    private static void runCase(long seed, int index, int[] outcomes) {
        Random random = new Random(seed * 1_000_003L + index);
        byte[] input = mutate(random, CORPUS[random.nextInt(CORPUS.length)].getBytes(StandardCharsets.ISO_8859_1));
        boolean head = random.nextInt(8) == 0;
        List<ByteBuf> fed = new ArrayList<>();
        String where = "seed=" + seed + " case=" + index + (head ? " HEAD" : " GET") + " input=" + printable(input);
        try (ReaderHarness h = new ReaderHarness()) {
            HttpRequest request = head ? HttpRequest.newBuilder(ReaderHarness.URI_).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build()
                    : HttpRequest.newBuilder(ReaderHarness.URI_).build();
            CompletableFuture<HttpResponse<byte[]>> f = h.begin(request, HttpResponse.BodyHandlers.ofByteArray(), false);
            for (byte[] slice : slices(random, input)) {
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(slice.length).writeBytes(slice);
                fed.add(buf);
                h.feed(buf);
            }
            ConnState afterResponse = h.state();
            boolean pooled = afterResponse == ConnState.IDLE;
            if (pooled) {
                if (!f.isDone() || f.isCompletedExceptionally()) {
                    fail("connection pooled but the exchange did not succeed: " + f + ", " + where);
                }
                checkServesNextResponse(h, fed, where);
            }
            h.peerClose();
            if (!f.isDone()) {
                fail("future not complete after the peer closed: " + where);
            }
            outcomes[classify(f, pooled, h.stats(), where)]++;
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("exception escaped the pipeline: " + t + ", " + where, t);
        }
        for (ByteBuf buf : fed) {
            if (buf.refCnt() != 0) {
                fail("inbound buffer not released (refCnt " + buf.refCnt() + "): " + where);
            }
        }
    }

    /** A connection the reader pooled must be clean: the next exchange on it reads its own response. */
    private static void checkServesNextResponse(ReaderHarness h, List<ByteBuf> fed, String where) {
        if (!h.leaseAgain()) {
            fail("pooled connection could not be leased again: " + where);
        }
        CompletableFuture<HttpResponse<byte[]>> next = h.begin(HttpRequest.newBuilder(ReaderHarness.URI_).build(),
                HttpResponse.BodyHandlers.ofByteArray(), true);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(NEXT_RESPONSE.getBytes(StandardCharsets.ISO_8859_1));
        fed.add(buf);
        h.feed(buf);
        if (!next.isDone() || next.isCompletedExceptionally() || !Arrays.equals("next".getBytes(StandardCharsets.ISO_8859_1), next.join().body())) {
            fail("the exchange after a pooled response did not get its own response: " + describe(next) + ", " + where);
        }
    }

    private static int classify(CompletableFuture<HttpResponse<byte[]>> f, boolean pooled, PoolStats stats, String where) {
        if (!f.isCompletedExceptionally()) {
            return pooled ? 0 : 1;
        }
        Throwable cause = causeOf(f);
        if (cause instanceof HttpProtocolException) {
            // Netty's decoder turns its own failures into invalid messages (4.2.18's getChunkSize throws
            // ArrayIndexOutOfBoundsException on a chunk size byte >= 0x80): a protocol error is the
            // right outcome. A failure thrown by Keepwell's own code is a bug wearing that type.
            for (Throwable c = cause.getCause(); c != null; c = c.getCause()) {
                StackTraceElement[] frames = c.getStackTrace();
                // A DecoderException is a decode failure raised on purpose (ClientCodec refuses
                // Content-Length with chunked that way); anything else from Keepwell code is a bug.
                if (frames.length > 0 && frames[0].getClassName().startsWith("io.keepwell")
                        && !(c instanceof io.netty.handler.codec.DecoderException)) {
                    throw new AssertionError("a Keepwell bug surfaced as a protocol error: " + where, cause);
                }
            }
            if (stats.closedBy(CloseReason.PROTOCOL_ERROR) != 1) {
                fail("protocol error not counted as a PROTOCOL_ERROR close: " + stats + ", " + where);
            }
            return 2;
        }
        if (cause instanceof PrematureCloseException) {
            if (stats.closedBy(CloseReason.PEER_CLOSED) != 1) {
                fail("premature close not counted as a PEER_CLOSED close: " + stats + ", " + where);
            }
            return 3;
        }
        throw new AssertionError("untyped failure " + cause + ": " + where, cause);
    }

    private static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private static String describe(CompletableFuture<HttpResponse<byte[]>> f) {
        if (!f.isDone()) {
            return "pending";
        }
        Throwable cause = causeOf(f);
        return cause != null ? cause.toString() : "body " + printable(f.join().body());
    }

    private static byte[] mutate(Random random, byte[] valid) {
        byte[] b = valid;
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int at = b.length == 0 ? 0 : random.nextInt(b.length);
            switch (random.nextInt(9)) {
                case 0 -> { // flip a bit
                    if (b.length > 0) {
                        b = b.clone();
                        b[at] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> { // replace a byte
                    if (b.length > 0) {
                        b = b.clone();
                        b[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : TOKENS[random.nextInt(14)].charAt(0));
                    }
                }
                case 2, 3 -> b = insert(b, at, TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.ISO_8859_1));
                case 4 -> { // delete a range
                    int len = Math.min(b.length - at, 1 + random.nextInt(8));
                    b = concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + len, b.length));
                }
                case 5 -> { // duplicate a range
                    int len = Math.min(b.length - at, 1 + random.nextInt(24));
                    b = insert(b, at, Arrays.copyOfRange(b, at, at + len));
                }
                case 6 -> b = Arrays.copyOf(b, at); // truncate
                case 7 -> b = concat(b, CORPUS[random.nextInt(CORPUS.length)].getBytes(StandardCharsets.ISO_8859_1)); // a second response
                default -> { // random bytes
                    byte[] noise = new byte[1 + random.nextInt(16)];
                    random.nextBytes(noise);
                    b = insert(b, at, noise);
                }
            }
        }
        return b;
    }

    private static List<byte[]> slices(Random random, byte[] input) {
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        int pieces = 1 + random.nextInt(4);
        while (pos < input.length) {
            int len = pieces == 1 ? input.length - pos : 1 + random.nextInt(Math.max(1, input.length / pieces + 1));
            len = Math.min(len, input.length - pos);
            out.add(Arrays.copyOfRange(input, pos, pos + len));
            pos += len;
        }
        return out;
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        return concat(concat(Arrays.copyOfRange(b, 0, at), what), Arrays.copyOfRange(b, at, b.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length + 16).append('"');
        for (byte x : bytes) {
            int c = x & 0xff;
            if (c == '\r') {
                s.append("\\r");
            } else if (c == '\n') {
                s.append("\\n");
            } else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                s.append(String.format("\\x%02x", c));
            } else {
                s.append((char) c);
            }
        }
        return s.append('"').toString();
    }
}
