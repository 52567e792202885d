package io.keepwell.it.features;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code Expect: 100-continue}: the body waits for the server's go-ahead, its refusal, or a timeout. */
class ExpectContinueTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;


    private HttpRequest upload(String path) {
        return HttpRequest.newBuilder(server.uri(path)).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("the body")).build();
    }

    private static ScriptedServer.Action echoLength() {
        return (request, socket, out) -> Actions.ok("got " + new String(request.body(), StandardCharsets.UTF_8)).perform(request, socket, out);
    }

    @Test
    void theBodyFollowsTheServersContinue() throws Exception {
        server = servers.start(r -> echoLength()).onExpectContinue(r -> true);
        // A long timeout: if the body went only after it, the request would outlast the wait below.
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).expectContinueTimeout(Duration.ofMinutes(5)));
        HttpResponse<String> r = client.sendAsync(upload("/up"), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("got the body", r.body());
        assertEquals("100-continue", server.requests().get(0).header("expect"));
        client.sendAsync(upload("/again"), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void aRefusalOnTheHeadMeansTheBodyIsNeverSent() throws Exception {
        server = servers.start(r -> Actions.rawThenClose("HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope"))
                .onExpectContinue(r -> false);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).expectContinueTimeout(Duration.ofMinutes(5)));
        HttpResponse<String> r = client.sendAsync(upload("/up"), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(401, r.statusCode());
        assertEquals("nope", r.body());
        assertEquals(0, client.poolStats().idle(), "a connection whose request was never finished is not reused");
    }

    @Test
    void aServerThatIgnoresTheExpectationGetsTheBodyAfterTheTimeout() throws Exception {
        server = servers.start(r -> echoLength());
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).expectContinueTimeout(Duration.ofMillis(200)));
        HttpResponse<String> r = client.sendAsync(upload("/up"), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("got the body", r.body());
    }
}
