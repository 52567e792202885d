package io.keepwell.it.tls;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
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

/** TLS configured as the JDK client takes it: a {@code javax.net.ssl.SSLContext} and {@code SSLParameters}. */
class JdkTlsSettingsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static TestCertificates localhost;
    private static TestCertificates otherHost;

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @BeforeAll
    static void makeCertificates() throws Exception {
        localhost = TestCertificates.generate("dns:localhost,ip:127.0.0.1");
        otherHost = TestCertificates.generate("dns:other.example");
    }

    /** An SSLContext whose only trust is {@code certificates}. */
    private static SSLContext trusting(TestCertificates certificates) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificates.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static HttpRequest get(ScriptedServer server) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/jdk")).build();
    }

    @Test
    void anSslContextGivesTheTrustAndTheSessionIsTheResponses() throws Exception {
        ScriptedServer server = servers.startTls(localhost.serverContext(), r -> Actions.ok("over " + r.target()));
        SSLContext context = trusting(localhost);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).sslContext(context));
        HttpResponse<String> r = client.send(get(server), HttpResponse.BodyHandlers.ofString());
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
                .sslContext(trusting(localhost)).sslParameters(parameters));
        parameters.setProtocols(new String[] {"TLSv1.3"}); // the client kept its own copy
        HttpResponse<String> r = client.send(get(server), HttpResponse.BodyHandlers.ofString());
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
                .sslContext(trusting(otherHost)).sslParameters(parameters));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.sendAsync(get(server), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(SSLHandshakeException.class, e.getCause());
        assertEquals(0, server.requestCount());
    }
}
