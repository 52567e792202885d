package io.keepwell.it.features;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Redirects as the JDK client follows them, with credentials kept to their origin. */
class RedirectTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;
    private ScriptedServer other;


    private static ScriptedServer.Action redirect(int status, String location) {
        return Actions.respond(status, "moved", "Location: " + location + "\r\n");
    }

    private static ScriptedServer.Action echo() {
        return (request, socket, out) -> Actions.ok(request.method() + " " + request.target() + " body=" + new String(request.body(), StandardCharsets.UTF_8)
                + " auth=" + request.header("authorization") + " cookie=" + request.header("cookie")).perform(request, socket, out);
    }

    private KeepwellHttpClient client(HttpClient.Redirect policy) {
        return clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).followRedirects(policy));
    }

    private static <T> HttpResponse<T> get(CompletableFuture<HttpResponse<T>> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void redirectsAreNotFollowedByDefault() throws Exception {
        server = servers.start(r -> redirect(302, "/elsewhere"));
        KeepwellHttpClient client = clients.newClient();
        HttpResponse<String> r = get(client.sendAsync(HttpRequest.newBuilder(server.uri("/start")).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(302, r.statusCode());
        assertEquals("moved", r.body());
    }

    @Test
    void seeOtherTurnsPostIntoGetWithoutBodyAndDrainsTheRedirectOnTheSameConnection() throws Exception {
        server = servers.start(r -> r.target().equals("/form") ? redirect(303, "done?x=1") : echo());
        KeepwellHttpClient client = client(HttpClient.Redirect.NORMAL);
        HttpResponse<String> r = get(client.sendAsync(HttpRequest.newBuilder(server.uri("/form"))
                .POST(HttpRequest.BodyPublishers.ofString("a=b")).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals("GET /done?x=1 body= auth=null cookie=null", r.body());
        assertEquals(server.uri("/done?x=1"), r.request().uri());
        assertEquals(1, server.acceptedConnections(), "the small redirect body was drained and the connection reused");
    }

    @Test
    void temporaryRedirectKeepsMethodAndReplayableBody() throws Exception {
        server = servers.start(r -> r.target().equals("/a") ? redirect(307, "/b") : echo());
        KeepwellHttpClient client = client(HttpClient.Redirect.NORMAL);
        HttpResponse<String> r = get(client.sendAsync(HttpRequest.newBuilder(server.uri("/a"))
                .POST(HttpRequest.BodyPublishers.ofString("payload")).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals("POST /b body=payload auth=null cookie=null", r.body());
    }

    @Test
    void temporaryRedirectOfAOneShotBodyIsNotFollowed() throws Exception {
        server = servers.start(r -> redirect(308, "/b"));
        KeepwellHttpClient client = client(HttpClient.Redirect.ALWAYS);
        SubmissionPublisher<ByteBuffer> oneShot = new SubmissionPublisher<>();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/a"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(oneShot, 2)).build(), HttpResponse.BodyHandlers.ofString());
        io.keepwell.it.support.Witnesses.awaitCondition(WAIT, () -> oneShot.getNumberOfSubscribers() == 1, () -> "not subscribed");
        oneShot.submit(ByteBuffer.wrap(new byte[]{1, 2}));
        oneShot.close();
        assertEquals(308, get(f).statusCode());
        assertEquals(1, server.requestCount());
    }

    @Test
    void credentialsStayWithTheirOrigin() throws Exception {
        other = servers.start(r -> echo());
        server = servers.start(r -> r.target().equals("/same") ? redirect(302, "/here")
                : r.target().equals("/away") ? redirect(302, other.uri("/there").toString()) : echo());
        KeepwellHttpClient client = client(HttpClient.Redirect.NORMAL);
        HttpRequest.Builder withCredentials = HttpRequest.newBuilder(server.uri("/same")).header("Authorization", "Bearer t").header("Cookie", "s=1");
        assertEquals("GET /here body= auth=Bearer t cookie=s=1", get(client.sendAsync(withCredentials.build(), HttpResponse.BodyHandlers.ofString())).body());
        HttpRequest away = HttpRequest.newBuilder(server.uri("/away")).header("Authorization", "Bearer t").header("Cookie", "s=1").build();
        assertEquals("GET /there body= auth=null cookie=null", get(client.sendAsync(away, HttpResponse.BodyHandlers.ofString())).body());
    }

    @Test
    void aRedirectLoopEndsWithTheRedirectPastTheLimitAsTheResponse() throws Exception {
        server = servers.start(r -> redirect(302, "/loop"));
        KeepwellHttpClient client = client(HttpClient.Redirect.NORMAL);
        HttpResponse<String> last = get(client.sendAsync(HttpRequest.newBuilder(server.uri("/loop")).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(302, last.statusCode());
        int previous = 0;
        for (var hop = last.previousResponse(); hop.isPresent(); hop = hop.get().previousResponse()) {
            assertNull(hop.get().body(), "a followed redirect has no body");
            previous++;
        }
        assertEquals(4, previous, "as the JDK client: four redirects followed");
        assertEquals(5, server.requestCount());
    }

    @Test
    void httpsToHttpIsNotFollowedUnderNormalButIsUnderAlways() throws Exception {
        TestCertificates certificates = TestCertificates.generate("ip:127.0.0.1");
        other = servers.start(r -> echo());
        server = servers.startTls(certificates.serverContext(), r -> redirect(302, other.uri("/plain").toString()));
        io.netty.handler.ssl.SslContext tls = KeepwellHttpClient.tlsContextBuilder().trustManager(certificates.certificate()).build();
        URI start = URI.create("https://127.0.0.1:" + server.port() + "/secure");
        KeepwellHttpClient normal = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).nettySslContext(tls).followRedirects(HttpClient.Redirect.NORMAL));
        assertEquals(302, get(normal.sendAsync(HttpRequest.newBuilder(start).build(), HttpResponse.BodyHandlers.ofString())).statusCode());
        KeepwellHttpClient always = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).nettySslContext(tls).followRedirects(HttpClient.Redirect.ALWAYS));
        assertEquals("GET /plain body= auth=null cookie=null",
                get(always.sendAsync(HttpRequest.newBuilder(start).build(), HttpResponse.BodyHandlers.ofString())).body());
    }

    @Test
    void aLargeRedirectBodyClosesItsConnectionInsteadOfBeingRead() throws Exception {
        server = servers.start(r -> r.target().equals("/big") ? Actions.raw("HTTP/1.1 301 Moved\r\nLocation: /small\r\nContent-Length: 10000000\r\n\r\n")
                : Actions.ok("small"));
        KeepwellHttpClient client = client(HttpClient.Redirect.NORMAL);
        HttpResponse<String> r = get(client.sendAsync(HttpRequest.newBuilder(server.uri("/big")).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals("small", r.body());
        assertEquals(2, server.acceptedConnections());
        assertNull(r.headers().firstValue("location").orElse(null));
    }
}
