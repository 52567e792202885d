package io.keepwell.it.spring;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;

import java.nio.charset.StandardCharsets;

/** What the Spring tests' loopback server answers, by path. */
final class SpringRoutes implements ScriptedServer.Script {

    static final String ORDERS = "/orders";
    static final String LARGE = "/large";
    static final String ENDLESS = "/endless";
    static final String HOLD = "/hold";
    static final String FAIL = "/fail";
    static final String HEADERS = "/headers";

    static final long LARGE_SIZE = 256L << 20;
    static final String FAILURE_BODY = "boom";
    static final String HEADERS_BODY = "with headers";

    /** Far more than any test reads: the server writes until the client goes away. */
    private static final long ENDLESS_SIZE = 1L << 40;

    @Override
    public ScriptedServer.Action actionFor(ScriptedServer.Request request) {
        return switch (request.target()) {
            case ORDERS -> echoJson();
            case LARGE -> Actions.largeBody(LARGE_SIZE, false);
            case ENDLESS -> Actions.largeBody(ENDLESS_SIZE, false);
            case HOLD -> holdUntilClientCloses();
            case FAIL -> Actions.respond(500, FAILURE_BODY, "Content-Type: text/plain\r\n");
            case HEADERS -> Actions.respond(201, HEADERS_BODY, "Content-Type: text/plain\r\n"
                    + "X-Multi: one\r\nX-Multi: two\r\n"
                    + "Set-Cookie: session=abc; Path=/app; Max-Age=60; Secure; HttpOnly; SameSite=Strict\r\n"
                    + "Set-Cookie: theme=dark\r\n");
            default -> Actions.respond(404, "no route", "");
        };
    }

    private static ScriptedServer.Action echoJson() {
        return (request, socket, out) -> {
            String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + request.body().length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(request.body());
            out.flush();
            return true;
        };
    }

    /** Never answers; ends the connection when the client closes it. */
    private static ScriptedServer.Action holdUntilClientCloses() {
        return (request, socket, out) -> {
            // The request had no body, so what comes next on the socket is the client's close.
            while (socket.getInputStream().read() != -1) {
                // a client that sent more is still a client that has not closed
            }
            return false;
        };
    }
}
