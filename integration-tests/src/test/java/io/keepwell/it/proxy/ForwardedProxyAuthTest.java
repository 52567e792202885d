package io.keepwell.it.proxy;

import io.keepwell.http.ProxyException;
import io.keepwell.http.ProxyRules;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.proxy.TestHttpProxy;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Basic proxy authentication on {@code http} requests forwarded by an HTTP proxy (absolute form),
 * against {@link TestHttpProxy}: a {@code 407} answered with the authenticator's credentials (asked
 * with requestor type {@code PROXY}, the proxy's host and port), credentials that worked sent at
 * once afterwards, a proxy URL's credentials sent at once, and every {@code 407} that cannot be
 * answered failing the call with {@link ProxyException} (status 407, the proxy named) instead of
 * returning the 407. The origin's URI names port 1 on localhost, where nothing listens: only the
 * proxy can have answered.
 */
class ForwardedProxyAuthTest {

    private static final URI ORIGIN = URI.create("http://localhost:1/resource?q=1");

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    /** Gives the credentials queued (the last one again once the queue is down to it), recording what it was asked. */
    private static final class ProxyCredentialsQueue extends Authenticator {
        final List<String> asked = new CopyOnWriteArrayList<>();
        private final Deque<PasswordAuthentication> answers = new ArrayDeque<>();

        ProxyCredentialsQueue(String... userPasswordPairs) {
            for (int i = 0; i < userPasswordPairs.length; i += 2) {
                answers.add(new PasswordAuthentication(userPasswordPairs[i], userPasswordPairs[i + 1].toCharArray()));
            }
        }

        @Override
        protected synchronized PasswordAuthentication getPasswordAuthentication() {
            asked.add(getRequestorType() + " " + getRequestingHost() + ":" + getRequestingPort() + " "
                    + getRequestingProtocol() + " " + getRequestingScheme() + " " + getRequestingPrompt() + " " + getRequestingURL());
            PasswordAuthentication next = answers.size() > 1 ? answers.poll() : answers.peek();
            return next == null ? null : new PasswordAuthentication(next.getUserName(), next.getPassword().clone());
        }
    }

    private KeepwellHttpClient client(TestHttpProxy proxy, Authenticator authenticator) {
        KeepwellHttpClient.Builder builder = KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .proxy(ProxyRules.builder().http(proxy.address()).build());
        if (authenticator != null) {
            builder.authenticator(authenticator);
        }
        return clients.newClient(builder);
    }

    private static HttpResponse<String> get(KeepwellHttpClient client, URI uri) throws Exception {
        return client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
    }

    private static ProxyException proxyFailure(KeepwellHttpClient client, HttpRequest request) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));
        return assertInstanceOf(ProxyException.class, e.getCause());
    }

    private static List<String> proxyAuthorizations(TestHttpProxy proxy) {
        return proxy.requests().stream().map(r -> String.valueOf(r.header("proxy-authorization"))).toList();
    }

    @Test
    void aProxyWithoutAuthenticationGetsAbsoluteFormRequests() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers);
        HttpResponse<String> r = get(client(proxy, null), ORIGIN);
        assertEquals(200, r.statusCode());
        assertEquals("origin: GET http://localhost:1/resource?q=1", r.body());
        assertEquals("localhost:1", proxy.requests().get(0).header("host"));
        assertNull(proxy.requests().get(0).header("proxy-authorization"));
    }

    @Test
    void a407IsAnsweredWithTheAuthenticatorsCredentialsAndTheyAreSentAtOnceAfterwards() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("zoë", "s3cret");
        ProxyCredentialsQueue authenticator = new ProxyCredentialsQueue("zoë", "s3cret");
        KeepwellHttpClient client = client(proxy, authenticator);

        HttpResponse<String> first = get(client, ORIGIN);
        assertEquals(200, first.statusCode());
        assertEquals("origin: GET http://localhost:1/resource?q=1", first.body());
        assertEquals(407, first.previousResponse().orElseThrow().statusCode(), "the challenge is the previous response");
        assertEquals(List.of("PROXY 127.0.0.1:" + proxy.port() + " http Basic " + TestHttpProxy.REALM + " " + ORIGIN.toURL()),
                authenticator.asked);
        String expected = TestHttpProxy.basic("zoë", "s3cret");
        assertEquals(List.of("null", expected), proxyAuthorizations(proxy));

        HttpResponse<String> second = get(client, URI.create("http://localhost:1/other"));
        assertEquals(200, second.statusCode());
        assertTrue(second.previousResponse().isEmpty(), "no challenge the second time");
        assertEquals(List.of("null", expected, expected), proxyAuthorizations(proxy));
        assertEquals(1, authenticator.asked.size(), "the authenticator is not asked again");
    }

    @Test
    void aBodyIsSentAgainWithTheCredentials() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("zoë", "s3cret")
                .origin(r -> Actions.ok(new String(r.body(), StandardCharsets.UTF_8)));
        KeepwellHttpClient client = client(proxy, new ProxyCredentialsQueue("zoë", "s3cret"));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(ORIGIN).POST(HttpRequest.BodyPublishers.ofString("payload")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("payload", r.body());
        assertEquals(2, proxy.requests().size());
    }

    @Test
    void withoutCredentialsThe407FailsTheCallNamingTheProxy() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("zoë", "s3cret");
        ProxyException refused = proxyFailure(client(proxy, null), HttpRequest.newBuilder(ORIGIN).build());
        assertEquals(407, refused.statusCode());
        assertEquals(Proxy.Type.HTTP, refused.proxy().type());
        assertEquals(proxy.port(), ((java.net.InetSocketAddress) refused.proxy().address()).getPort());
        assertTrue(refused.getMessage().contains("407") && refused.getMessage().contains("no credentials"), refused.getMessage());
        assertEquals(1, proxy.requests().size());

        ProxyCredentialsQueue none = new ProxyCredentialsQueue();
        ProxyException unanswered = proxyFailure(client(proxy, none), HttpRequest.newBuilder(ORIGIN).build());
        assertEquals(407, unanswered.statusCode());
        assertEquals(1, none.asked.size(), "the authenticator was asked, and had nothing");
    }

    @Test
    void credentialsRejectedAgainFailTheCallWithoutAskingForever() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("zoë", "s3cret");
        ProxyCredentialsQueue wrong = new ProxyCredentialsQueue("zoë", "guess");
        ProxyException refused = proxyFailure(client(proxy, wrong), HttpRequest.newBuilder(ORIGIN).build());
        assertEquals(407, refused.statusCode());
        assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
        assertEquals(2, proxy.requests().size(), "the first request and one answer: the same credentials are not sent twice");
        assertEquals(2, wrong.asked.size());
    }

    @Test
    void newCredentialsAreTriedUpToTheAttemptLimit() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("zoë", "s3cret");
        ProxyCredentialsQueue guesses = new ProxyCredentialsQueue("a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6");
        ProxyException refused = proxyFailure(client(proxy, guesses), HttpRequest.newBuilder(ORIGIN).build());
        assertEquals(407, refused.statusCode());
        assertTrue(refused.getMessage().contains("4 times"), refused.getMessage());
        assertEquals(5, proxy.requests().size(), "the first request and four answers, as for a server's 401");

        ProxyCredentialsQueue secondGuessRight = new ProxyCredentialsQueue("a", "1", "zoë", "s3cret");
        assertEquals(200, get(client(proxy, secondGuessRight), ORIGIN).statusCode());
        assertEquals(List.of(TestHttpProxy.basic("a", "1"), TestHttpProxy.basic("zoë", "s3cret")),
                proxyAuthorizations(proxy).subList(6, 8));
    }

    @Test
    void credentialsThatStopWorkingAreForgottenAndAskedForAgain() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("zoë", "old");
        ProxyCredentialsQueue authenticator = new ProxyCredentialsQueue("zoë", "old", "zoë", "new");
        KeepwellHttpClient client = client(proxy, authenticator);
        assertEquals(200, get(client, ORIGIN).statusCode());
        proxy.requireCredentials("zoë", "new");
        HttpResponse<String> r = get(client, ORIGIN);
        assertEquals(200, r.statusCode());
        assertEquals(List.of("null", TestHttpProxy.basic("zoë", "old"), TestHttpProxy.basic("zoë", "old"),
                TestHttpProxy.basic("zoë", "new")), proxyAuthorizations(proxy));
        assertEquals(2, authenticator.asked.size());
        assertEquals(200, get(client, ORIGIN).statusCode());
        assertEquals(TestHttpProxy.basic("zoë", "new"), proxyAuthorizations(proxy).get(4), "the new ones are sent at once");
    }

    @Test
    void aProxyUrlsCredentialsAreSentAtOnce() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("al@ice", "p:w");
        ProxyRules rules = ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "http://al%40ice:p%3Aw@127.0.0.1:" + proxy.port(),
                "NO_PROXY", "example.test"));
        ProxyCredentialsQueue authenticator = new ProxyCredentialsQueue("someone", "else");
        // The environment's rules send localhost direct, as Go's: the origin is a name they proxy, which the client
        // must not look up (only the proxy's address is); were it looked up, the name server asked is a dead loopback port.
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).proxy(rules)
                .resolver(List.of(new java.net.InetSocketAddress("127.0.0.1", 9))).authenticator(authenticator));
        URI origin = URI.create("http://origin.invalid:1/x");
        HttpResponse<String> r = get(client, origin);
        assertEquals(200, r.statusCode());
        assertEquals("origin: GET http://origin.invalid:1/x", r.body());
        assertEquals(List.of(TestHttpProxy.basic("al@ice", "p:w")), proxyAuthorizations(proxy));
        assertTrue(authenticator.asked.isEmpty(), "the URL's credentials come before the authenticator");
    }

    @Test
    void aOneShotBodyIsNotSentAgainAndThe407FailsTheCall() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("zoë", "s3cret");
        KeepwellHttpClient client = client(proxy, new ProxyCredentialsQueue("zoë", "s3cret"));
        HttpRequest oneShot = HttpRequest.newBuilder(ORIGIN).POST(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofString("once"))).build();
        ProxyException refused = proxyFailure(client, oneShot);
        assertTrue(refused.getMessage().contains("cannot be sent again"), refused.getMessage());
        assertEquals(1, proxy.requests().size());
    }

    @Test
    void a407WithoutABasicChallengeFailsTheCall() throws Exception {
        ScriptedServer digestOnly = servers.start(r -> Actions.respond(407, "", "Proxy-Authenticate: Digest realm=\"x\", nonce=\"1\"\r\n"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .proxy(ProxyRules.builder().http(new java.net.InetSocketAddress("127.0.0.1", digestOnly.port())).build())
                .authenticator(new ProxyCredentialsQueue("zoë", "s3cret")));
        ProxyException refused = proxyFailure(client, HttpRequest.newBuilder(ORIGIN).build());
        assertTrue(refused.getMessage().contains("no Basic challenge"), refused.getMessage());
        assertEquals(1, digestOnly.requestCount());
    }

    @Test
    void bypassedHostsGetNoProxyCredentials() throws Exception {
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("zoë", "s3cret");
        ScriptedServer direct = servers.start(r -> Actions.ok("direct"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .proxy(ProxyRules.builder().http(proxy.address()).noProxy("127.0.0.1").build())
                .authenticator(new ProxyCredentialsQueue("zoë", "s3cret")));
        assertEquals(200, get(client, ORIGIN).statusCode());
        HttpResponse<String> r = get(client, direct.uri("/d"));
        assertEquals("direct", r.body());
        assertEquals("/d", direct.requests().get(0).target(), "origin form, straight to the origin");
        assertNull(direct.requests().get(0).header("proxy-authorization"));
    }

    @Test
    void aServersChallengeBehindTheProxyIsAnsweredToo() throws Exception {
        String server = "Basic " + java.util.Base64.getEncoder().encodeToString("web:pw".getBytes(StandardCharsets.UTF_8));
        TestHttpProxy proxy = TestHttpProxy.start(servers).requireCredentials("zoë", "s3cret")
                .origin(r -> server.equals(r.header("authorization")) ? Actions.ok("in")
                        : Actions.respond(401, "", "WWW-Authenticate: Basic realm=\"web\"\r\n"));
        Authenticator both = new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return getRequestorType() == RequestorType.PROXY ? new PasswordAuthentication("zoë", "s3cret".toCharArray())
                        : new PasswordAuthentication("web", "pw".toCharArray());
            }
        };
        HttpResponse<String> r = get(client(proxy, both), ORIGIN);
        assertEquals("in", r.body());
        assertEquals(3, proxy.requests().size(), "407, then 401 through the proxy, then both answered");
        assertEquals(TestHttpProxy.basic("zoë", "s3cret"), proxy.requests().get(2).header("proxy-authorization"));
        assertEquals(server, proxy.requests().get(2).header("authorization"));
    }
}
