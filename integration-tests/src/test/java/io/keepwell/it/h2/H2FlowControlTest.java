package io.keepwell.it.h2;

import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.h2.H2Reply;
import io.keepwell.it.support.h2.H2Reset;
import io.keepwell.it.support.h2.H2Server;
import io.keepwell.it.support.h2.H2ServerConnection;
import io.keepwell.it.support.h2.H2Servers;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolConfig;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.stream.Collectors;

import static io.keepwell.it.h2.H2Clients.WAIT;
import static io.keepwell.it.h2.H2Clients.await;
import static io.keepwell.it.h2.H2Clients.failureOf;
import static io.keepwell.it.h2.H2Clients.get;
import static io.keepwell.it.h2.H2Clients.tlsServer;
import static io.keepwell.it.h2.H2Clients.trustingClient;
import static io.keepwell.it.support.Witnesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flow control both ways: window given back for bodies never read, and a request body held to the server's window. */
class H2FlowControlTest {

    private static final int BODY = 64 * 1024;
    private static final int UNREAD = 20;
    private static final int CONNECTION_WINDOW = 256 * 1024;
    /**
     * RFC 9113 section 5.1: frames still arriving on a stream this side reset are ignored, not
     * answered with another reset (Netty's decoder would send RST_STREAM(STREAM_CLOSED) for them,
     * netty/netty#8025; the client filters those out).
     */
    private static void assertNoResetBeyondTheCancel(List<H2Reset> resets) {
        assertEquals(List.of(), resets.stream().filter(r -> r.error() != Http2Error.CANCEL).toList(),
                "after its RST_STREAM(CANCEL) the client must ignore the frames still arriving on the stream, not reset it again");
    }

    @RegisterExtension
    final H2Servers servers = new H2Servers();

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    /** Subscribes to a body and cancels before asking for a byte. */
    private static final class CancelAtOnce implements Flow.Subscriber<List<ByteBuffer>> {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.cancel();
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }

    /**
     * Twenty bodies of 64 KiB are more than the 256 KiB connection window: unless the client gives
     * back what the cancelled streams held, the next response's DATA cannot flow. No subscriber
     * asks for a byte (an InputStream would ask for its first buffers), so at most 4 bodies can
     * end before the cancels; a stream is cancelled only if its body had not ended by then.
     */
    @Test
    void bodiesCancelledUnreadGiveTheConnectionWindowBack() throws Exception {
        H2Server server = servers.start(tlsServer().script(r -> H2Reply.okOfSize(BODY)).build());
        // Each stream's window holds one body; Netty widens the connection window to twice the stream
        // window's growth, which at 64 KiB leaves the 256 KiB set here as the connection's window.
        KeepwellHttpClient client = leaks.newClient(trustingClient().http2InitialWindowSize(BODY)
                .http2ConnectionWindowSize(CONNECTION_WINDOW)
                .pool(PoolConfig.builder().maxConnectionsPerHost(1).build()));
        List<CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>>> publishers = new ArrayList<>();
        for (int i = 0; i < UNREAD; i++) {
            publishers.add(client.sendAsync(get(server, "/big/" + i), HttpResponse.BodyHandlers.ofPublisher()));
        }
        List<Flow.Publisher<List<ByteBuffer>>> unreadPublishers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> f : publishers) {
            unreadPublishers.add(await(f).body());
        }
        H2ServerConnection connection = server.connection(1);
        awaitCondition(WAIT, () -> connection.wire().dataBytesWritten() >= CONNECTION_WINDOW, connection::toString);
        int finishedBeforeCancel = connection.wire().finishedStreams().size();
        long writtenBeforeCancel = connection.wire().dataBytesWritten();

        unreadPublishers.forEach(p -> p.subscribe(new CancelAtOnce()));

        HttpResponse<byte[]> next = await(client.sendAsync(get(server, "/after"), HttpResponse.BodyHandlers.ofByteArray()));
        assertEquals(BODY, next.body().length, "the request after the cancelled ones");
        assertEquals(1, server.acceptedConnections());

        Set<Integer> cancelledIds = Set.copyOf(connection.wire().streamIds().subList(0, UNREAD));
        awaitCondition(WAIT, () -> everyStreamFinishedOrReset(connection, cancelledIds), connection::toString);
        Map<Integer, List<H2Reset>> cancelsByStream = connection.wire().resetsReceived().stream()
                .filter(r -> r.error() == Http2Error.CANCEL).collect(Collectors.groupingBy(H2Reset::streamId));
        Set<Integer> finished = connection.wire().finishedStreams();
        for (int id : cancelledIds) {
            List<H2Reset> cancels = cancelsByStream.getOrDefault(id, List.of());
            if (finished.contains(id)) {
                assertTrue(cancels.size() <= 1, "stream " + id + " cancelled more than once: " + cancels);
            } else {
                assertEquals(1, cancels.size(), "stream " + id + " was cancelled unfinished: " + cancels);
            }
        }
        assertNoResetBeyondTheCancel(connection.wire().resetsReceived());
        // Checked last, so that the assertions above report too: the premise that unread bodies hold window.
        assertTrue(finishedBeforeCancel < UNREAD, "all " + finishedBeforeCancel + " bodies nobody read (" + writtenBeforeCancel
                + " bytes) went whole through a " + CONNECTION_WINDOW + "-byte connection window: the client gave back window for bytes not read");
    }

    @Test
    void closingAnUnreadInputStreamResetsItsStreamOnceAndTheConnectionServesOn() throws Exception {
        H2Server server = servers.start(tlsServer().script(r -> H2Reply.okOfSize(4 * BODY)).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient().http2InitialWindowSize(BODY)
                .pool(PoolConfig.builder().maxConnectionsPerHost(1).build()));
        InputStream unread = await(client.sendAsync(get(server, "/big"), HttpResponse.BodyHandlers.ofInputStream())).body();
        H2ServerConnection connection = server.connection(1);
        int streamId = connection.wire().streamIds().get(0);
        unread.close();
        awaitCondition(WAIT, () -> !connection.wire().resetsReceived().isEmpty(), connection::toString);
        assertEquals(4 * BODY, await(client.sendAsync(get(server, "/after"), HttpResponse.BodyHandlers.ofByteArray())).body().length);
        assertEquals(1, server.acceptedConnections());
        List<H2Reset> resets = connection.wire().resetsReceived();
        assertEquals(List.of(new H2Reset(1, streamId, Http2Error.CANCEL.code())),
                resets.stream().filter(r -> r.error() == Http2Error.CANCEL).toList(), "one RST_STREAM(CANCEL)");
        assertNoResetBeyondTheCancel(resets);
    }

    private static boolean everyStreamFinishedOrReset(H2ServerConnection connection, Set<Integer> ids) {
        Set<Integer> done = new HashSet<>(connection.wire().finishedStreams());
        connection.wire().resetsReceived().forEach(r -> done.add(r.streamId()));
        return done.containsAll(ids);
    }

    @Test
    void aRequestBodyLargerThanTheServersWindowArrivesIntact() throws Exception {
        H2Server server = servers.start(tlsServer().initialWindowSize(16 * 1024).windowUpdates(true)
                .script(r -> H2Reply.ok(sha256(r.body()))).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient());
        byte[] body = new byte[256 * 1024];
        new Random(12).nextBytes(body);
        HttpResponse<String> response = await(client.sendAsync(HttpRequest.newBuilder(server.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals(sha256(body), response.body());
        assertArrayEquals(body, server.requests().get(0).body());
    }

    @Test
    void aRequestBodyTheServerNeverGivesWindowForEndsWithTheWriteTimeout() throws Exception {
        H2Server server = servers.start(tlsServer().initialWindowSize(16 * 1024).windowUpdates(false).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient().writeTimeout(Duration.ofMillis(300)));
        CompletableFuture<HttpResponse<String>> starved = client.sendAsync(HttpRequest.newBuilder(server.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[256 * 1024])).build(), HttpResponse.BodyHandlers.ofString());
        assertInstanceOf(HttpTimeoutException.class, failureOf(starved));
        assertTrue(server.requests().isEmpty(), "a starved body ended: " + server.requests());
        awaitCondition(WAIT, () -> client.poolStats().streams() == 0 && client.openStreams() == 0,
                () -> client.poolStats() + ", open streams " + client.openStreams());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
