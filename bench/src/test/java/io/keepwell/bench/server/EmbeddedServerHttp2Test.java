package io.keepwell.bench.server;

import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's HTTP/2 modes, seen through the JDK's client (h2 over TLS, trusting the server's
 * certificate with hostname verification on) and Keepwell's (h2c with prior knowledge, which the
 * JDK has not); the leak guard checks the server's buffers.
 */
class EmbeddedServerHttp2Test {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void h2OverTlsAnswersGetHeadAndPostOnOneConnection() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().protocol(EmbeddedServer.Protocol.H2).start()) {
            assertEquals("https", server.uri("/").getScheme());
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_2)
                    .sslContext(BenchCertificate.trustContext(server.certificate().certificate()))
                    .connectTimeout(TIMEOUT)
                    .build();
            HttpResponse<String> get = client.send(HttpRequest.newBuilder(server.uri("/x")).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, get.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, get.version());
            assertEquals("Hello, World!", get.body());
            assertEquals("text/plain", get.headers().firstValue("content-type").orElseThrow());

            HttpResponse<byte[]> head = client.send(HttpRequest.newBuilder(server.uri("/"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, head.statusCode());
            assertEquals(0, head.body().length);

            // a body larger than the spec's 65535-byte initial windows: the server's windows let it in
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(server.uri("/"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[200_000])).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, post.statusCode());
            assertEquals("Hello, World!", post.body());

            List<CompletableFuture<HttpResponse<Void>>> concurrent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                concurrent.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/")).timeout(TIMEOUT).build(),
                        HttpResponse.BodyHandlers.discarding()));
            }
            for (CompletableFuture<HttpResponse<Void>> f : concurrent) {
                assertEquals(200, f.get(10, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(1, server.acceptedConnections(), "every stream on the one connection");
            assertEquals(23, server.requests());
        }
    }

    @Test
    void h2OnlyRefusesAClientThatDoesNotNegotiateIt() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().protocol(EmbeddedServer.Protocol.H2).start()) {
            HttpClient http11 = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .sslContext(BenchCertificate.trustContext(server.certificate().certificate()))
                    .connectTimeout(TIMEOUT)
                    .build();
            assertThrows(IOException.class, () -> http11.send(HttpRequest.newBuilder(server.uri("/")).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.discarding()), "not measured over HTTP/1.1");
            assertEquals(0, server.requests());
        }
    }

    @Test
    void h2cWithPriorKnowledgeAnnouncesTheStreamLimit() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().protocol(EmbeddedServer.Protocol.H2C).maxConcurrentStreams(4).start();
             KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true)
                     .pool(io.keepwell.pool.PoolConfig.builder().maxConnectionsPerHost(1).build()).build()) {
            assertEquals("http", server.uri("/").getScheme());
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertEquals(HttpClient.Version.HTTP_2, r.version());
                assertEquals("Hello, World!", r.body());
            }
            assertEquals(1, server.acceptedConnections(), "ten requests, four streams at a time, one connection");
        }
    }

    @Test
    void holdModeIsHttp11Only() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EmbeddedServer.builder().protocol(EmbeddedServer.Protocol.H2C).hold(2, () -> { }).start());
        assertTrue(e.getMessage().contains("HTTP/1.1"), e.getMessage());
    }
}
