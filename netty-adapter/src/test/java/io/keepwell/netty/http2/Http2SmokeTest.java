package io.keepwell.netty.http2;

import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolStats;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Http2SmokeTest {

    @Test
    void burstOverH2cSharesOneConnection() throws Exception {
        try (H2cServer server = new H2cServer(100);
             KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true).build()) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/x");
            HttpResponse<String> first = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, first.statusCode());
            assertEquals("hello", first.body());
            assertEquals(HttpClient.Version.HTTP_2, first.version());
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                burst.add(client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                assertEquals("hello", f.get(10, TimeUnit.SECONDS).body());
            }
            assertEquals(2, server.connections.get(), "100 streams on the first, the other 100 on a second");
            assertEquals(201, server.streams.get());
            PoolStats stats = client.poolStats();
            assertEquals(0, stats.streams(), stats.toString());
            assertEquals(2, stats.idle(), stats.toString());
            assertEquals(0, client.openStreams());
        }
    }

    @Test
    void theClientsStreamCapAndConnectionCapShapeTheLoad() throws Exception {
        try (H2cServer server = new H2cServer(100);
             KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true)
                     .pool(io.keepwell.pool.PoolConfig.builder().maxConnectionsPerHost(2).maxStreamsPerConnection(10).build()).build()) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/x");
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                burst.add(client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                assertEquals("hello", f.get(10, TimeUnit.SECONDS).body());
            }
            assertEquals(2, server.connections.get());
            org.junit.jupiter.api.Assertions.assertTrue(server.maxOpen.get() <= 20, "at most 2 x 10 streams at once: " + server.maxOpen.get());
            assertEquals(0, client.poolStats().streams());
        }
    }

    @Test
    void freshBurstOpensOneConnection() throws Exception {
        try (H2cServer server = new H2cServer(100);
             KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true).build()) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/x");
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                burst.add(client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                assertEquals("hello", f.get(10, TimeUnit.SECONDS).body());
            }
            assertEquals(2, server.connections.get(), "100 streams each");
            assertEquals(0, client.poolStats().streams());
        }
    }
}
