package io.keepwell.it.support.h2;

import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.Witnesses;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scripted HTTP/2 server, driven by the JDK's own HTTP/2 client: its witnesses count what the JDK did. */
class H2ServerSelfTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestCertificates certificates;

    @RegisterExtension
    final H2Servers servers = new H2Servers();

    private final ExecutorService jdkExecutor = Executors.newFixedThreadPool(2);
    private HttpClient jdk;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.generate("dns:localhost,ip:127.0.0.1");
    }

    @AfterEach
    void stopJdkClient() {
        jdkExecutor.shutdownNow();
    }

    private H2Server start(H2ServerConfig.Builder config) throws Exception {
        jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).executor(jdkExecutor)
                .sslContext(ClientTls.clientSslContextTrusting(certificates.certificate())).build();
        return servers.start(config.tls(certificates.serverContext()).build());
    }

    private static H2Reply servedOn(H2Request request) {
        return H2Reply.ok("connection " + request.connectionId());
    }

    private <T> HttpResponse<T> get(H2Server server, String path, HttpResponse.BodyHandler<T> body) throws Exception {
        return jdk.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), body).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void streamsHeldTogetherAreCountedOnOneConnection() throws Exception {
        H2Server server = start(H2ServerConfig.builder(H2Mode.TLS_H2_OR_HTTP1).script(H2ServerSelfTest::servedOn));
        get(server, "/warm-up", HttpResponse.BodyHandlers.discarding()); // the JDK opens its first connection alone
        H2Gate gate = new H2Gate();
        server.script(r -> H2Reply.heldBy(gate, servedOn(r)));
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(jdk.sendAsync(HttpRequest.newBuilder(server.uri("/held/" + i)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Witnesses.awaitCondition(WAIT, () -> server.openStreams() == 5, server::toString);
        gate.release();
        for (CompletableFuture<HttpResponse<String>> f : held) {
            HttpResponse<String> response = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertEquals("connection 1", response.body());
        }
        assertEquals(List.of("h2"), server.applicationProtocols());
        assertEquals(6, server.streamsOpened());
        assertEquals(5, server.peakOpenStreams());
        Witnesses.awaitCondition(WAIT, () -> server.openStreams() == 0, server::toString);
    }

    @Test
    void aGoAwaySendsTheJdkClientToANewConnection() throws Exception {
        H2Server server = start(H2ServerConfig.builder(H2Mode.TLS_H2_OR_HTTP1).script(H2ServerSelfTest::servedOn));
        assertEquals("connection 1", get(server, "/first", HttpResponse.BodyHandlers.ofString()).body());
        List<Integer> streams = server.connection(1).wire().streamIds();
        server.connection(1).goAway(streams.get(streams.size() - 1), Http2Error.NO_ERROR).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Witnesses.awaitCondition(WAIT, () -> !server.connection(1).isOpen(), () -> "the JDK kept the connection after GOAWAY: " + server);
        assertEquals("connection 2", get(server, "/second", HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(1, server.goAwaysSent());
        assertEquals(0, server.connection(1).wire().streamsOpenedAfterGoAway());
    }

    @Test
    void aRefusedStreamIsCountedAndTheConnectionServesOn() throws Exception {
        H2Server server = start(H2ServerConfig.builder(H2Mode.TLS_H2_OR_HTTP1));
        get(server, "/warm-up", HttpResponse.BodyHandlers.discarding());
        server.refuseNextStreams(1);
        try {
            get(server, "/refused", HttpResponse.BodyHandlers.ofString()); // the JDK may or may not retry it
        } catch (ExecutionException e) {
            assertInstanceOf(IOException.class, e.getCause());
        }
        assertEquals(1, server.resetsSent(Http2Error.REFUSED_STREAM));
        assertEquals("ok", get(server, "/after", HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void aRequestBodyLargerThanTheWindowArrivesWholeAsTheServerReturnsWindow() throws Exception {
        H2Server server = start(H2ServerConfig.builder(H2Mode.TLS_H2_OR_HTTP1).initialWindowSize(16 * 1024)
                .script(r -> H2Reply.ok(Integer.toString(r.body().length))));
        byte[] body = new byte[256 * 1024];
        Arrays.fill(body, (byte) 'x');
        HttpResponse<String> response = jdk.sendAsync(HttpRequest.newBuilder(server.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("262144", response.body());
        assertArrayEquals(body, server.requests().get(0).body());
    }

    @Test
    void withoutWindowUpdatesARequestBodyStarves() throws Exception {
        H2Server server = start(H2ServerConfig.builder(H2Mode.TLS_H2_OR_HTTP1).initialWindowSize(16 * 1024).windowUpdates(false));
        ExecutionException e = assertThrows(ExecutionException.class, () -> jdk.sendAsync(HttpRequest.newBuilder(server.uri("/upload"))
                .timeout(Duration.ofMillis(500)).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[256 * 1024])).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(HttpTimeoutException.class, e.getCause());
        assertTrue(server.requests().isEmpty(), "no request body ended: " + server.requests());
    }

    @Test
    void aSilencedConnectionAnswersNothingAndStaysOpen() throws Exception {
        H2Server server = start(H2ServerConfig.builder(H2Mode.TLS_H2_OR_HTTP1));
        get(server, "/warm-up", HttpResponse.BodyHandlers.discarding());
        server.connection(1).silence();
        ExecutionException e = assertThrows(ExecutionException.class, () -> jdk.sendAsync(HttpRequest.newBuilder(server.uri("/void"))
                .timeout(Duration.ofMillis(300)).build(), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(HttpTimeoutException.class, e.getCause());
        assertTrue(server.connection(1).isOpen());
        assertEquals(2, server.streamsOpened());
    }

    @Test
    void anHttp11OnlyServerServesTheJdkOverHttp11() throws Exception {
        H2Server server = start(H2ServerConfig.builder(H2Mode.TLS_HTTP1_ONLY).script(H2ServerSelfTest::servedOn));
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = get(server, "/h1", HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_1_1, response.version());
            assertEquals("connection 1", response.body());
        }
        assertEquals(List.of("http/1.1"), server.applicationProtocols());
    }

    @Test
    void h2cAnswersAPrefaceWithSettings() throws Exception {
        H2Server server = servers.start(H2ServerConfig.builder(H2Mode.H2C_PRIOR_KNOWLEDGE).build());
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
            out.flush();
            byte[] frameHeader = new byte[9];
            new DataInputStream(socket.getInputStream()).readFully(frameHeader);
            assertEquals(4, frameHeader[3], "the server's first frame is SETTINGS");
        }
        assertEquals(1, server.acceptedConnections());
    }
}
