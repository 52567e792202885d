package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Server behaviours the conformance tests share. */
final class ConformanceActions {

    private ConformanceActions() {}

    /**
     * Answers 200 with the request's body, and says how it came: {@code X-Method}, {@code X-Target}
     * and {@code X-Framing} ({@code chunked}, {@code length=N} or {@code none}).
     */
    static ScriptedServer.Action echo() {
        return (request, socket, out) -> {
            String head = "HTTP/1.1 200 OK\r\nContent-Length: " + request.body().length + "\r\nX-Method: " + request.method()
                    + "\r\nX-Target: " + request.target() + "\r\nX-Framing: " + framing(request) + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (!request.method().equals("HEAD")) {
                out.write(request.body());
            }
            out.flush();
            return true;
        };
    }

    static String framing(ScriptedServer.Request request) {
        if ("chunked".equalsIgnoreCase(request.header("transfer-encoding"))) {
            return "chunked";
        }
        String length = request.header("content-length");
        return length == null ? "none" : "length=" + length;
    }

    /** Never answers; reads until the client closes the connection, then closes its side. */
    static ScriptedServer.Action holdUntilClientCloses() {
        return (request, socket, out) -> {
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // whatever the client still sends
            }
            return false;
        };
    }

    /** Sends {@code raw} (a head and maybe part of a body), then holds like {@link #holdUntilClientCloses}. */
    static ScriptedServer.Action rawThenHold(String raw) {
        ScriptedServer.Action write = Actions.raw(raw);
        ScriptedServer.Action hold = holdUntilClientCloses();
        return (request, socket, out) -> write.perform(request, socket, out) && hold.perform(request, socket, out);
    }
}
