package io.keepwell.it.tls;

import io.keepwell.http.HttpTimeoutException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.netty.KeepwellHttpClient;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** https with certificates made at test time: trust (a Netty SslContext, or the JDK's SSLContext and SSLParameters), hostname verification, SNI, ALPN, handshake timeout. */
class TlsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestCertificates localhost;
    private static TestCertificates otherHost;

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;

    @BeforeAll
    static void makeCertificates() throws Exception {
        localhost = TestCertificates.generate("dns:localhost,ip:127.0.0.1");
        otherHost = TestCertificates.generate("dns:other.example");
    }


    private KeepwellHttpClient trusting(TestCertificates certificates) throws Exception {
        SslContext tls = KeepwellHttpClient.tlsContextBuilder().trustManager(certificates.certificate()).build();
        return clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).nettySslContext(tls));
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS)).getCause();
    }

    @Test
    void httpsWorksReusesConnectionsSendsSniAndOffersHttp11() throws Exception {
        server = servers.startTls(localhost.serverContext(), r -> Actions.ok("secure " + r.target()));
        KeepwellHttpClient client = trusting(localhost);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = client.sendAsync(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/s" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("secure /s" + i, r.body());
        }
        assertEquals(1, server.acceptedConnections());
        assertEquals(List.of("http/1.1"), server.applicationProtocols());
        assertEquals(List.of("localhost"), server.serverNames());
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        server = servers.startTls(otherHost.serverContext(), r -> Actions.ok("should not be read"));
        KeepwellHttpClient client = trusting(otherHost);
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertInstanceOf(SSLHandshakeException.class, failureOf(f));
        assertEquals(0, client.poolStats().opened());
        assertEquals(0, server.requestCount());
    }

    /**
     * Issue 10 item 12: with the context from tlsContextBuilder() (the README's route), switching
     * hostname verification off had no effect: the certificate for another name still failed.
     */
    @Test
    void hostnameVerificationOffAcceptsACertificateForAnotherHost() throws Exception {
        server = servers.startTls(otherHost.serverContext(), r -> Actions.ok("trusted, other name"));
        SslContext tls = KeepwellHttpClient.tlsContextBuilder().trustManager(otherHost.certificate()).build();
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).nettySslContext(tls)
                .hostnameVerification(false));
        HttpResponse<String> r = client.sendAsync(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("trusted, other name", r.body());
    }

    /** The same with the default context: an untrusted certificate stays refused, verification off or not. */
    @Test
    void hostnameVerificationOffStillRefusesAnUntrustedCertificate() throws Exception {
        server = servers.startTls(otherHost.serverContext(), r -> Actions.ok("should not be read"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).hostnameVerification(false));
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertInstanceOf(SSLHandshakeException.class, failureOf(f));
        assertEquals(0, server.requestCount());
    }

    @Test
    void anUntrustedCertificateIsRefusedByDefault() throws Exception {
        server = servers.startTls(localhost.serverContext(), r -> Actions.ok("should not be read"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertInstanceOf(SSLHandshakeException.class, failureOf(f));
        assertEquals(0, server.requestCount());
    }

    @Test
    void aServerThatNeverHandshakesTimesOutTyped() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).handshakeTimeout(Duration.ofMillis(300)));
            CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + silent.getLocalPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpTimeoutException e = assertInstanceOf(HttpTimeoutException.class, failureOf(f));
            assertEquals(HttpTimeoutException.Phase.HANDSHAKE, e.phase());
        }
    }

    @Test
    void aFileUploadGoesThroughTls(@TempDir Path dir) throws Exception {
        server = servers.startTls(localhost.serverContext(), r -> Actions.ok(String.valueOf(r.body().length)));
        KeepwellHttpClient client = trusting(localhost);
        Path file = Files.write(dir.resolve("f.bin"), new byte[300_000]);
        HttpResponse<String> r = client.sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/up"))
                .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("300000", r.body());
    }

    @Test
    void httpAndHttpsToTheSamePortAreDifferentPools() {
        assertEquals(false, io.keepwell.pool.PoolKey.of(URI.create("http://127.0.0.1:8443/"))
                .equals(io.keepwell.pool.PoolKey.of(URI.create("https://127.0.0.1:8443/"))));
    }

    /** Go's rule: a connect started for a caller that left still lands in the pool for the next one. */
    @Test
    void aConnectStartedForARequestThatWasCancelledStillLandsInThePool() throws Exception {
        java.util.concurrent.CountDownLatch handshake = new java.util.concurrent.CountDownLatch(1);
        server = servers.startTls(localhost.serverContext(), r -> Actions.ok("served")).holdHandshakesUntil(handshake);
        KeepwellHttpClient client = trusting(localhost);
        URI uri = URI.create("https://localhost:" + server.port() + "/");
        CompletableFuture<HttpResponse<String>> cancelled = client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        io.keepwell.it.support.Witnesses.awaitCondition(WAIT, () -> client.poolStats().connecting() == 1, () -> client.poolStats().toString());
        cancelled.cancel(true);
        handshake.countDown();
        io.keepwell.it.support.Witnesses.awaitCondition(WAIT, () -> client.poolStats().idle() == 1, () -> "the connection did not land in the pool: " + client.poolStats());
        assertEquals(0, server.requestCount(), "the cancelled request was sent");
        assertEquals("served", client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        assertEquals(1, client.poolStats().opened(), "the next request reused it");
        assertEquals(1, server.acceptedConnections());
    }

    // TLS configured as the JDK client takes it: a javax.net.ssl.SSLContext and SSLParameters.

    /** An SSLContext whose only trust is {@code certificates}. */
    private static SSLContext jdkContextTrusting(TestCertificates certificates) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificates.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static HttpRequest getJdk(ScriptedServer server) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/jdk")).build();
    }

    @Test
    void anSslContextGivesTheTrustAndTheSessionIsTheResponses() throws Exception {
        ScriptedServer server = servers.startTls(localhost.serverContext(), r -> Actions.ok("over " + r.target()));
        SSLContext context = jdkContextTrusting(localhost);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).sslContext(context));
        HttpResponse<String> r = client.send(getJdk(server), HttpResponse.BodyHandlers.ofString());
        assertEquals("over /jdk", r.body());
        assertTrue(r.sslSession().isPresent(), "an https response carries its session");
        assertSame(context, client.sslContext());
        assertEquals(List.of("http/1.1"), server.applicationProtocols(), "ALPN is still offered");
        assertEquals(List.of("localhost"), server.serverNames(), "SNI is still sent");
    }

    @Test
    void sslParametersChooseTheProtocolAndAreCopied() throws Exception {
        ScriptedServer server = servers.startTls(localhost.serverContext(), r -> Actions.ok("1.2"));
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.2"});
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .sslContext(jdkContextTrusting(localhost)).sslParameters(parameters));
        parameters.setProtocols(new String[] {"TLSv1.3"}); // the client kept its own copy
        HttpResponse<String> r = client.send(getJdk(server), HttpResponse.BodyHandlers.ofString());
        assertEquals("TLSv1.2", r.sslSession().orElseThrow().getProtocol());
        assertNotSame(client.sslParameters(), client.sslParameters());
        assertEquals(List.of("TLSv1.2"), List.of(client.sslParameters().getProtocols()));
    }

    /** Parameters that name no endpoint identification keep it on, as the JDK client does. */
    @Test
    void parametersWithoutAnEndpointAlgorithmStillVerifyTheHostName() throws Exception {
        ScriptedServer server = servers.startTls(otherHost.serverContext(), r -> Actions.ok("should not be read"));
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .sslContext(jdkContextTrusting(otherHost)).sslParameters(parameters));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.sendAsync(getJdk(server), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(SSLHandshakeException.class, e.getCause());
        assertEquals(0, server.requestCount());
    }
}
