package io.keepwell.bench.server;

import io.keepwell.bench.util.ProcessWitness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's server, seen through the client and through a raw socket; the leak guard checks its buffers. */
class EmbeddedServerTest {

    @Test
    void answersTheDefaultBodyAndKeepsTheConnection() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start();
             KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).build()) {
            assertEquals("127.0.0.1", server.uri("/").getHost());
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.sendAsync(HttpRequest.newBuilder(server.uri("/x")).build(),
                        HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertEquals("Hello, World!", r.body());
            }
            assertEquals(1, server.acceptedConnections(), "keep-alive: one connection for three requests");
            assertEquals(3, server.requests());
        }
    }

    @Test
    void answersHeadWithoutABody() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start();
             KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).build()) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> r = client.sendAsync(HttpRequest.newBuilder(server.uri("/")).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).get(5, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertEquals("13", r.headers().firstValue("content-length").orElseThrow());
                assertEquals(0, r.body().length);
            }
            assertEquals(1, server.acceptedConnections(), "no stray body bytes broke the connection");
        }
    }

    @Test
    void answersConfiguredSizeAndReadsRequestBodies() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().responseSize(70_000).start();
             KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).build()) {
            HttpResponse<byte[]> r = client.sendAsync(HttpRequest.newBuilder(server.uri("/"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[100_000])).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).get(5, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals(70_000, r.body().length);
            assertEquals('a', r.body()[0]);
        }
    }

    @Test
    void closesWhenTheRequestAsksAndCountsConnections() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start();
             Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), server.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII); // ends at the server's close
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
            assertTrue(response.endsWith("\r\n\r\nHello, World!"), response);
            assertTrue(ProcessWitness.await(Duration.ofSeconds(5), () -> server.openConnections() == 0),
                    "open " + server.openConnections());
            assertEquals(1, server.acceptedConnections());
        }
    }

    @Test
    void holdModeAnswersNothingUntilAllArrivedThenAllWith204() throws Exception {
        int n = 5;
        AtomicInteger seenAtRelease = new AtomicInteger(-1);
        EmbeddedServer[] self = new EmbeddedServer[1];
        try (EmbeddedServer server = EmbeddedServer.builder().hold(n, () -> seenAtRelease.set(self[0].openConnections())).start();
             KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).build()) {
            self[0] = server;
            List<CompletableFuture<HttpResponse<byte[]>>> first = new ArrayList<>();
            for (int i = 0; i < n - 1; i++) {
                first.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(), HttpResponse.BodyHandlers.ofByteArray()));
            }
            assertTrue(ProcessWitness.await(Duration.ofSeconds(5), () -> server.heldArrivals() == n - 1));
            for (CompletableFuture<?> f : first) {
                assertFalse(f.isDone(), "answered before all arrived");
            }
            HttpResponse<byte[]> last = client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).get(5, TimeUnit.SECONDS);
            assertEquals(204, last.statusCode());
            for (CompletableFuture<HttpResponse<byte[]>> f : first) {
                HttpResponse<byte[]> r = f.get(5, TimeUnit.SECONDS);
                assertEquals(204, r.statusCode());
                assertArrayEquals(new byte[0], r.body());
                assertEquals("0", r.headers().firstValue("content-length").orElseThrow());
            }
            assertEquals(n, seenAtRelease.get(), "the observer ran with every connection open");
            HttpResponse<byte[]> after = client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).get(5, TimeUnit.SECONDS);
            assertEquals(204, after.statusCode(), "later requests are answered at once");
        }
    }

    @Test
    void closeStopsItsThreads() {
        int before = ProcessWitness.liveThreads();
        EmbeddedServer server = EmbeddedServer.builder().threads(2).start();
        server.close();
        assertTrue(ProcessWitness.await(Duration.ofSeconds(5), () -> ProcessWitness.liveThreads() <= before),
                "threads " + ProcessWitness.liveThreads() + " > " + before);
    }
}
