package io.keepwell.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Ready-made {@link ScriptedServer.Action}s. */
public final class Actions {
    private Actions() {
    }

    /** Writes {@code raw} as the whole response and keeps the connection. */
    public static ScriptedServer.Action raw(String raw) {
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        return (request, socket, out) -> {
            out.write(bytes);
            out.flush();
            return true;
        };
    }

    /** {@code status} with a body and {@code Content-Length}, plus extra header lines (each ending in CRLF). */
    public static ScriptedServer.Action respond(int status, String body, String extraHeaders) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return raw("HTTP/1.1 " + status + " X\r\nContent-Length: " + b.length + "\r\n" + extraHeaders + "\r\n"
                + new String(b, StandardCharsets.ISO_8859_1));
    }

    public static ScriptedServer.Action ok(String body) {
        return respond(200, body, "");
    }

    /** Waits for {@code gate} (at most {@code maxWaitMillis}), then does {@code then}. */
    public static ScriptedServer.Action holdUntil(CountDownLatch gate, long maxWaitMillis, ScriptedServer.Action then) {
        return (request, socket, out) -> {
            if (!gate.await(maxWaitMillis, TimeUnit.MILLISECONDS)) {
                throw new IOException("held request was never released");
            }
            return then.perform(request, socket, out);
        };
    }

    /** Writes {@code raw}, then closes the connection. */
    public static ScriptedServer.Action rawThenClose(String raw) {
        ScriptedServer.Action write = raw(raw);
        return (request, socket, out) -> {
            write.perform(request, socket, out);
            return false;
        };
    }

    /** Closes the connection without answering. */
    public static ScriptedServer.Action close() {
        return (request, socket, out) -> false;
    }

    /** Resets the connection (RST instead of FIN). */
    public static ScriptedServer.Action reset() {
        return (request, socket, out) -> {
            socket.setSoLinger(true, 0);
            socket.close();
            return false;
        };
    }

    /** Writes {@code raw}, waits {@code pause}, then closes the connection (a server's idle close). */
    public static ScriptedServer.Action rawThenCloseAfter(String raw, java.time.Duration pause) {
        ScriptedServer.Action write = raw(raw);
        return (request, socket, out) -> {
            write.perform(request, socket, out);
            Thread.sleep(pause.toMillis()); // the server's own idle period, not a test wait
            return false;
        };
    }

    /** Writes {@code raw}, then {@code later} after {@code pause} on the idle connection. */
    public static ScriptedServer.Action rawThenLater(String raw, java.time.Duration pause, String later) {
        ScriptedServer.Action first = raw(raw);
        ScriptedServer.Action second = raw(later);
        return (request, socket, out) -> {
            first.perform(request, socket, out);
            Thread.sleep(pause.toMillis()); // the server's own idle period, not a test wait
            second.perform(request, socket, out);
            return true;
        };
    }

    /** The byte at {@code position} of a {@link #largeBody} body: a pattern a checksum can verify. */
    public static byte patternByte(long position) {
        return (byte) (position * 31 + (position >>> 13));
    }

    /** A 200 response of {@code size} pattern bytes, with Content-Length (or chunked when {@code chunked}). */
    public static ScriptedServer.Action largeBody(long size, boolean chunked) {
        return (request, socket, out) -> {
            String head = chunked ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            byte[] block = new byte[64 * 1024];
            long position = 0;
            while (position < size) {
                int n = (int) Math.min(block.length, size - position);
                for (int i = 0; i < n; i++) {
                    block[i] = patternByte(position + i);
                }
                if (chunked) {
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write(block, 0, n);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                position += n;
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.flush();
            return true;
        };
    }
}
