package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;

import java.io.IOException;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.concurrent.atomic.AtomicInteger;

import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** An Authenticator answering a server's Basic challenge. */
class ConformanceAuthenticationTest extends ConformanceFixture {

    /** "user:pw" in Base64. */
    private static final String USER_PW = "Basic dXNlcjpwdw==";

    private ScriptedServer challenging() throws Exception {
        return servers.start(request -> USER_PW.equals(request.header("authorization"))
                ? Actions.ok("welcome") : Actions.respond(401, "no", "WWW-Authenticate: Basic realm=\"r\"\r\n"));
    }

    private static Authenticator giving(String user, String password, AtomicInteger asked) {
        return new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                asked.incrementAndGet();
                return new PasswordAuthentication(user, password.toCharArray());
            }
        };
    }

    @EachEngine
    void theChallengeIsAnsweredAndTheChallengeIsThePreviousResponse(Engine engine) throws Exception {
        ScriptedServer server = challenging();
        AtomicInteger asked = new AtomicInteger();
        HttpClient client = clients.newClient(engine, builder -> builder.authenticator(giving("user", "pw", asked)));
        HttpResponse<String> response = await(client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(), BodyHandlers.ofString()));
        assertEquals(200, response.statusCode());
        assertEquals("welcome", response.body());
        assertEquals(401, response.previousResponse().orElseThrow().statusCode());
        assertEquals(1, asked.get());
        assertEquals(2, server.requestCount());
    }

    @EachEngine
    void wrongCredentialsFailAfterTheRetryLimit(Engine engine) throws Exception {
        ScriptedServer server = challenging();
        AtomicInteger asked = new AtomicInteger();
        HttpClient client = clients.newClient(engine, builder -> builder.authenticator(giving("user", "wrong", asked)));
        assertThrows(IOException.class, () -> client.send(HttpRequest.newBuilder(server.uri("/")).build(), BodyHandlers.ofString()));
        assertEquals(4, asked.get(), "the JDK's jdk.httpclient.auth.retrylimit of 3 counts the answers after the first");
        assertEquals(5, server.requestCount());
    }
}
