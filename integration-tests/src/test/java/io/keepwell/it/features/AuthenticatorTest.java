package io.keepwell.it.features;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code authenticator(..)} as in the JDK client: a server's Basic challenge is answered with its credentials. */
class AuthenticatorTest {

    private static final String CHALLENGE = "WWW-Authenticate: Basic realm=\"keepwell\", charset=\"UTF-8\"\r\n";

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    /** Serves "/" to {@code user:password} and challenges everyone else. */
    private ScriptedServer serverFor(String user, String password) throws Exception {
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return servers.start(r -> expected.equals(r.header("authorization"))
                ? Actions.ok("hello " + user + " " + r.method())
                : Actions.respond(401, "who?", CHALLENGE));
    }

    /** Gives {@code user}/{@code password}, recording every realm and scheme it is asked for. */
    private static final class Credentials extends Authenticator {
        final List<String> asked = new CopyOnWriteArrayList<>();
        private final String user;
        private final String password;

        Credentials(String user, String password) {
            this.user = user;
            this.password = password;
        }

        @Override
        protected PasswordAuthentication getPasswordAuthentication() {
            asked.add(getRequestingScheme() + " " + getRequestingPrompt() + " " + getRequestorType());
            return user == null ? null : new PasswordAuthentication(user, password.toCharArray());
        }
    }

    @Test
    void aBasicChallengeIsAnsweredAndTheBodyIsSentAgain() throws Exception {
        ScriptedServer server = serverFor("zoë", "s3cret");
        Credentials credentials = new Credentials("zoë", "s3cret");
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).authenticator(credentials));
        assertSame(credentials, client.authenticator().orElseThrow());
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/"))
                .POST(HttpRequest.BodyPublishers.ofString("payload")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello zoë POST", r.body());
        assertEquals(401, r.previousResponse().orElseThrow().statusCode(), "the challenge is the previous response");
        assertEquals(List.of("Basic keepwell SERVER"), credentials.asked);
        assertEquals(List.of("payload", "payload"), server.requests().stream().map(req -> new String(req.body(), StandardCharsets.UTF_8)).toList());
    }

    @Test
    void withoutCredentialsTheChallengeIsTheResponse() throws Exception {
        ScriptedServer server = serverFor("zoë", "s3cret");
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .authenticator(new Credentials(null, null)));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertEquals("who?", r.body());
        assertEquals(1, server.requestCount());
    }

    @Test
    void wrongCredentialsFailTheCallAfterFourAnswers() throws Exception {
        ScriptedServer server = serverFor("zoë", "s3cret");
        Credentials wrong = new Credentials("zoë", "guess");
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).authenticator(wrong));
        IOException e = assertThrows(IOException.class,
                () -> client.send(HttpRequest.newBuilder(server.uri("/")).build(), HttpResponse.BodyHandlers.ofString()));
        assertTrue(e.getMessage().contains("too many authentication attempts"), e.getMessage());
        assertEquals(4, wrong.asked.size());
        assertEquals(5, server.requestCount(), "the first request and four answers");
    }

    /** The caller's authenticator failing is the caller's failure: the call fails with it, the connection closes as ABORTED. */
    @Test
    void anAuthenticatorThatThrowsFailsTheCallWithItsOwnError() throws Exception {
        ScriptedServer server = serverFor("zoë", "s3cret");
        IllegalStateException broken = new IllegalStateException("no credential store");
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).authenticator(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                throw broken;
            }
        }));
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(), HttpResponse.BodyHandlers.ofString())
                        .get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertSame(broken, e.getCause());
        io.keepwell.it.support.Witnesses.awaitCondition(java.time.Duration.ofSeconds(10),
                () -> client.poolStats().closedBy(io.keepwell.pool.CloseReason.ABORTED) == 1, () -> client.poolStats().toString());
        assertEquals(0, client.poolStats().closedBy(io.keepwell.pool.CloseReason.PROTOCOL_ERROR));
    }
}
