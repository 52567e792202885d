package io.keepwell.it.features;

import io.keepwell.http.BodyTooLargeException;
import io.keepwell.http.HttpProtocolException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Transparent gzip and deflate, with the decompressed size held to a limit. */
class DecompressionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;


    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out)) {
            d.write(data);
        }
        return out.toByteArray();
    }

    private static ScriptedServer.Action encoded(String encoding, byte[] body) {
        return (request, socket, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Encoding: " + encoding + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return true;
        };
    }

    private KeepwellHttpClient decompressing() {
        return clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).decompression(true).maxDecompressedSize(1024 * 1024));
    }

    private CompletableFuture<HttpResponse<String>> get(KeepwellHttpClient client, String path) {
        return client.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void gzipAndDeflateAreAskedForAndDecoded() throws Exception {
        String text = "hello compressed world ".repeat(100);
        byte[] gz = gzip(text.getBytes(StandardCharsets.UTF_8));
        byte[] df = deflate(text.getBytes(StandardCharsets.UTF_8));
        server = servers.start(r -> encoded(r.target().equals("/gzip") ? "gzip" : "deflate", r.target().equals("/gzip") ? gz : df));
        KeepwellHttpClient client = decompressing();
        HttpResponse<String> g = get(client, "/gzip").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(text, g.body());
        assertNull(g.headers().firstValue("content-encoding").orElse(null));
        assertEquals(text, get(client, "/deflate").get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        assertEquals("gzip, deflate", server.requests().get(0).header("accept-encoding"));
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void withoutDecompressionNothingIsAskedForAndBodiesArriveAsSent() throws Exception {
        byte[] gz = gzip("raw".getBytes(StandardCharsets.UTF_8));
        server = servers.start(r -> encoded("gzip", gz));
        KeepwellHttpClient client = clients.newClient();
        byte[] body = client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(), HttpResponse.BodyHandlers.ofByteArray())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        assertEquals(gz.length, body.length);
        assertNull(server.requests().get(0).header("accept-encoding"));
    }

    @Test
    void aGzipBombFailsTypedAndClosesTheConnection() throws Exception {
        byte[] bomb = gzip(new byte[64 * 1024 * 1024]);
        byte[] ok = gzip("ok".getBytes(StandardCharsets.UTF_8));
        server = servers.start(r -> r.target().equals("/bomb") ? encoded("gzip", bomb) : encoded("gzip", ok));
        KeepwellHttpClient client = decompressing();
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(client, "/bomb").get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(1024 * 1024, assertInstanceOf(BodyTooLargeException.class, e.getCause()).limit());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.PROTOCOL_ERROR) == 1, () -> client.poolStats().toString());
        assertEquals("ok", get(client, "/fine").get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
    }

    @Test
    void corruptGzipFailsAsAProtocolError() throws Exception {
        byte[] corrupt = gzip("x".repeat(1000).getBytes(StandardCharsets.UTF_8));
        for (int i = 12; i < corrupt.length - 8; i++) {
            corrupt[i] ^= 0x5a;
        }
        server = servers.start(r -> encoded("gzip", corrupt));
        KeepwellHttpClient client = decompressing();
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(client, "/").get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(HttpProtocolException.class, e.getCause());
    }
}
