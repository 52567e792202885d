package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepwell.it.support.AccessLogEntry;
import io.keepwell.it.support.HaproxyContainer;
import io.keepwell.it.support.LoopbackServerContainer;
import io.keepwell.it.support.Http2Servers;
import io.keepwell.it.support.NghttpdContainer;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.TestCertificates;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Checks that the HTTP/2 servers of the real-server suite speak HTTP/2 the way the Keepwell tests
 * rely on, using the JDK's client and nghttp2's own clients ({@code nghttp}, {@code h2load}, run
 * inside the image), not Keepwell's. When a Keepwell HTTP/2 test fails and this one passes, the
 * server is not the suspect.
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerHttp2ServersTest {

    private static final TestCertificates CERTIFICATES = Http2Servers.loopbackCertificates();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int KEEPALIVE_REQUESTS = 5;

    @Container
    static final NginxContainer nginxH2 = new NginxContainer().withTls(CERTIFICATES).withHttp2().withHttp2MaxConcurrentStreams(128);

    @Container
    static final NginxContainer nginxTlsHttp11 = new NginxContainer().withTls(CERTIFICATES);

    @Container
    static final NginxContainer nginxH2c = new NginxContainer().withHttp2().withKeepaliveRequests(KEEPALIVE_REQUESTS);

    @Container
    static final NginxContainer haproxyBackend = new NginxContainer().withHttp2();

    @Container
    static final HaproxyContainer haproxyTls = new HaproxyContainer(haproxyBackend).withTlsFront(CERTIFICATES);

    @Container
    static final NginxContainer tlsBackend = new NginxContainer().withTls(CERTIFICATES).withHttp2();

    @Container
    static final HaproxyContainer haproxyToTls = new HaproxyContainer(tlsBackend).withTlsFront(CERTIFICATES);

    @Container
    static final NginxContainer h2cBackend = new NginxContainer().withHttp2();

    @Container
    static final HaproxyContainer haproxyH2c = new HaproxyContainer(h2cBackend).withH2cFront();

    @Container
    static final NghttpdContainer nghttpdH2c = new NghttpdContainer().withMaxConcurrentStreams(2).withWindowBits(10, 10);

    @Container
    static final NghttpdContainer nghttpdTls = new NghttpdContainer().withTls(CERTIFICATES).withWindowBits(10, 10);

    private static final HttpClient jdk = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(sslContext())
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @Test
    void nginxNegotiatesH2ServesLargeBodiesAndEchoes() throws Exception {
        HttpResponse<String> hello = get(nginxH2, NginxContainer.HELLO);
        assertEquals(HttpClient.Version.HTTP_2, hello.version());
        assertEquals(NginxContainer.HELLO_BODY, hello.body());
        HttpResponse<byte[]> large = jdk.send(HttpRequest.newBuilder(nginxH2.uri(NginxContainer.LARGE)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(HttpClient.Version.HTTP_2, large.version());
        assertArrayEquals(nginxH2.expectedLargeBody(), large.body());
        String body = "echo over h2 ".repeat(10_000);
        HttpResponse<String> echo = jdk.send(HttpRequest.newBuilder(nginxH2.uri(NginxContainer.ECHO))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, echo.version());
        assertEquals(200, echo.statusCode());
        assertEquals(body, echo.body());
        List<AccessLogEntry> log = nginxH2.awaitAccessLog(e -> e.path().equals(NginxContainer.ECHO), 1, WAIT);
        assertEquals("HTTP/2.0", log.get(0).protocol());
        assertTrue(nginxH2.activeConnections() >= 1, "stub_status on the plain port counts the h2 connection");
    }

    @Test
    void nginxKeepsOneConnectionForAHundredConcurrentStreams() throws Exception {
        ExecResult load = nginxH2.execInContainer("h2load", "-n", "100", "-c", "1", "-m", "100",
                nginxH2.uri(NginxContainer.HELLO + "?h2load=burst").toString());
        assertTrue(load.getStdout().contains("100 succeeded"), load.getStdout() + load.getStderr());
        List<AccessLogEntry> log = nginxH2.awaitAccessLog(e -> e.uri().contains("h2load=burst"), 100, WAIT);
        assertEquals(1, log.stream().map(AccessLogEntry::connection).distinct().count(), "connections: " + log);
        assertTrue(log.stream().allMatch(e -> e.protocol().equals("HTTP/2.0")), "protocols: " + log);
    }

    @Test
    void nginxWithoutHttp2OffersOnlyHttp11OverTls() throws Exception {
        HttpResponse<String> hello = get(nginxTlsHttp11, NginxContainer.HELLO);
        assertEquals(HttpClient.Version.HTTP_1_1, hello.version());
        assertEquals(NginxContainer.HELLO_BODY, hello.body());
    }

    /** nginx 1.22 sends GOAWAY once keepalive_requests streams were opened on an h2 connection. */
    @Test
    void nginxH2cSendsGoAwayAfterKeepaliveRequests() throws Exception {
        List<String> command = new ArrayList<>(List.of("nghttp", "-nv"));
        for (int i = 0; i < KEEPALIVE_REQUESTS + 2; i++) {
            command.add(nginxH2c.uri(NginxContainer.HELLO + "?goaway=" + i).toString());
        }
        ExecResult run = nginxH2c.execInContainer(command.toArray(String[]::new));
        String out = run.getStdout();
        assertTrue(out.contains("recv GOAWAY frame"), out + run.getStderr());
        // nghttp's requests do not start at stream 1 (it opens priority-group streams first), so only
        // the count of streams served is checked: the first N, then GOAWAY.
        List<AccessLogEntry> log = nginxH2c.awaitAccessLog(e -> e.uri().contains("goaway="), KEEPALIVE_REQUESTS, WAIT);
        assertEquals(KEEPALIVE_REQUESTS, log.size(), "streams served before the GOAWAY: " + log);
    }

    @Test
    void haproxyTerminatesH2AndSpeaksH2ToNginx() throws Exception {
        HttpResponse<String> hello = get(haproxyTls, NginxContainer.HELLO + "?via=haproxy-tls");
        assertEquals(HttpClient.Version.HTTP_2, hello.version());
        assertEquals(NginxContainer.HELLO_BODY, hello.body());
        List<AccessLogEntry> log = haproxyBackend.awaitAccessLog(e -> e.uri().contains("via=haproxy-tls"), 1, WAIT);
        assertEquals("HTTP/2.0", log.get(0).protocol(), "haproxy -> nginx");
    }

    @Test
    void haproxySpeaksH2OverTlsToATlsBackend() throws Exception {
        HttpResponse<String> hello = get(haproxyToTls, NginxContainer.HELLO + "?via=haproxy-to-tls");
        assertEquals(HttpClient.Version.HTTP_2, hello.version());
        assertEquals(NginxContainer.HELLO_BODY, hello.body());
        List<AccessLogEntry> log = tlsBackend.awaitAccessLog(e -> e.uri().contains("via=haproxy-to-tls"), 1, WAIT);
        assertEquals("HTTP/2.0", log.get(0).protocol(), "haproxy -> nginx over TLS, ALPN h2");
    }

    @Test
    void haproxyH2cFrontWorks() throws Exception {
        ExecResult load = haproxyH2c.execInContainer("h2load", "-n", "20", "-c", "1", "-m", "10",
                haproxyH2c.uri(NginxContainer.HELLO + "?via=haproxy-h2c").toString());
        assertTrue(load.getStdout().contains("20 succeeded"), load.getStdout() + load.getStderr());
        List<AccessLogEntry> log = h2cBackend.awaitAccessLog(e -> e.uri().contains("via=haproxy-h2c"), 20, WAIT);
        assertTrue(log.stream().allMatch(e -> e.protocol().equals("HTTP/2.0")), "protocols: " + log);
    }

    @Test
    void nghttpdAnnouncesItsLimitsAndServesFiles() throws Exception {
        ExecResult run = nghttpdH2c.execInContainer("nghttp", "-nv", nghttpdH2c.uri(NghttpdContainer.LARGE).toString());
        String out = run.getStdout();
        assertEquals(0, run.getExitCode(), out + run.getStderr());
        assertTrue(out.contains("[SETTINGS_MAX_CONCURRENT_STREAMS(0x03):2]"), out);
        assertTrue(out.contains("[SETTINGS_INITIAL_WINDOW_SIZE(0x04):1023]"), out);
        assertTrue(out.contains("content-length: " + (1 << 20)), out);
    }

    @Test
    void nghttpdOverTlsEchoesAnUploadThroughATinyWindow() throws Exception {
        byte[] upload = nghttpdTls.expectedLargeBody();
        HttpResponse<byte[]> echo = jdk.send(HttpRequest.newBuilder(nghttpdTls.uri(NghttpdContainer.ECHO))
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(HttpClient.Version.HTTP_2, echo.version());
        assertEquals(200, echo.statusCode());
        assertArrayEquals(upload, echo.body());
        HttpResponse<String> hello = get(nghttpdTls, NghttpdContainer.HELLO);
        assertEquals(NghttpdContainer.HELLO_BODY, hello.body());
    }

    private static HttpResponse<String> get(LoopbackServerContainer<?> server, String path) throws Exception {
        return jdk.send(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static javax.net.ssl.SSLContext sslContext() {
        try {
            return CERTIFICATES.clientContext();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
