package io.keepwell.it.features;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@code cookieHandler(..)} as in the JDK client: responses' cookies are stored, and sent with the next requests. */
class CookieHandlerTest {

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void aCookieTheServerSetsIsSentBackAlsoAcrossARedirect() throws Exception {
        ScriptedServer server = servers.start(r -> switch (r.target()) {
            case "/login" -> Actions.respond(200, "in", "Set-Cookie: session=abc; Path=/\r\n");
            case "/hop" -> Actions.respond(302, "", "Location: /me\r\nSet-Cookie: hop=1; Path=/\r\n");
            default -> Actions.ok("cookie=" + r.header("cookie"));
        });
        CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .cookieHandler(cookies).followRedirects(HttpClient.Redirect.NORMAL));
        assertSame(cookies, client.cookieHandler().orElseThrow());

        assertEquals("cookie=null", client.send(HttpRequest.newBuilder(server.uri("/me")).build(), HttpResponse.BodyHandlers.ofString()).body());
        client.send(HttpRequest.newBuilder(server.uri("/login")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("cookie=session=abc", client.send(HttpRequest.newBuilder(server.uri("/me")).build(), HttpResponse.BodyHandlers.ofString()).body());
        String afterHop = client.send(HttpRequest.newBuilder(server.uri("/hop")).build(), HttpResponse.BodyHandlers.ofString()).body();
        // One Cookie header (RFC 6265 section 5.4), in the handler's order.
        assertEquals(java.util.Set.of("hop=1", "session=abc"), java.util.Set.of(afterHop.substring("cookie=".length()).split("; ")),
                "the redirect's cookie is stored before its next hop is sent: " + afterHop);
        assertNull(KeepwellHttpClient.newBuilder().build().cookieHandler().orElse(null));
    }

    /** A cookie handler that fails, on the first hop or on a redirect's next one, fails the call with its own error. */
    @Test
    void aCookieHandlerThatFailsFailsTheCallWhicheverHopItFailsOn() throws Exception {
        ScriptedServer server = servers.start(r -> r.target().equals("/hop")
                ? Actions.respond(302, "", "Location: /me\r\n") : Actions.ok("me"));
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.net.CookieHandler failsOnSecond = new java.net.CookieHandler() {
            @Override
            public java.util.Map<String, java.util.List<String>> get(java.net.URI uri, java.util.Map<String, java.util.List<String>> headers)
                    throws java.io.IOException {
                if (asked.incrementAndGet() == 2) {
                    throw new java.io.IOException("cookie store unavailable");
                }
                return java.util.Map.of();
            }

            @Override
            public void put(java.net.URI uri, java.util.Map<String, java.util.List<String>> headers) {
            }
        };
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .cookieHandler(failsOnSecond).followRedirects(HttpClient.Redirect.NORMAL));
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.sendAsync(HttpRequest.newBuilder(server.uri("/hop")).build(), HttpResponse.BodyHandlers.ofString())
                        .get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("cookie store unavailable", rootCause(e).getMessage(), "the redirect's next hop fails the call");

        asked.set(1); // the next get() fails: now on the first hop
        java.util.concurrent.ExecutionException first = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.sendAsync(HttpRequest.newBuilder(server.uri("/me")).build(), HttpResponse.BodyHandlers.ofString())
                        .get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("cookie store unavailable", rootCause(first).getMessage());
        assertEquals(1, server.requestCount(), "only the first hop of the first call reached the server");
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
