package io.keepwell.it.hostile;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.RefuseReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that answers before it has read the request body (a 413 to an upload, as servers do):
 * like Go's and the JDK's clients, Keepwell delivers the response, and never reuses the connection,
 * since the rest of the request is still in flight on it.
 */
class HostileEarlyResponseTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Far more than loopback socket buffers hold, so the request cannot finish writing before the response. */
    private static final int BODY_BYTES = 48 * 1024 * 1024;

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ServerSocket serverSocket;
    private final CountDownLatch responseSeen = new CountDownLatch(1);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closedByClient = new AtomicInteger();

    @AfterEach
    void stop() throws IOException {
        responseSeen.countDown();
        if (serverSocket != null) {
            serverSocket.close();
        }
    }

    @Test
    void responseBeforeTheRequestIsWrittenIsDeliveredAndTheConnectionNotReused() throws Exception {
        serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::serve, "early-response-server");
        acceptor.setDaemon(true);
        acceptor.start();
        URI base = URI.create("http://127.0.0.1:" + serverSocket.getLocalPort());
        KeepwellHttpClient client = clients.newClient();

        HttpResponse<String> early = client.sendAsync(HttpRequest.newBuilder(base.resolve("/upload"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[BODY_BYTES])).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        responseSeen.countDown();
        assertEquals(413, early.statusCode());
        assertEquals("too big", early.body());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.REFUSED) == 1 && client.poolStats().open() == 0,
                () -> client.poolStats().toString());
        assertEquals(1, client.poolStats().refused(RefuseReason.NOT_REUSABLE));
        Witnesses.awaitCondition(WAIT, () -> closedByClient.get() == 1, () -> "the server did not see the connection closed");

        HttpResponse<String> next = client.sendAsync(HttpRequest.newBuilder(base.resolve("/small"))
                .POST(HttpRequest.BodyPublishers.ofString("tiny")).build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(413, next.statusCode());
        assertEquals(2, accepted.get());
        assertTrue(client.poolStats().opened() == 2);
    }

    /** Reads each request's head only, answers 413 at once, then (once the client has the response) drains until EOF. */
    private void serve() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                accepted.incrementAndGet();
                Thread t = new Thread(() -> answerEarly(socket), "early-response-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void answerEarly(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            readHead(in);
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 7\r\n\r\ntoo big".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            responseSeen.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            byte[] sink = new byte[64 * 1024];
            while (in.read(sink) != -1) {
                // the rest of the request, until the client closes
            }
            closedByClient.incrementAndGet();
        } catch (IOException e) {
            closedByClient.incrementAndGet(); // a reset: the client closed with unsent bytes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                return;
            }
        }
        throw new IOException("eof in request head");
    }
}
