package io.keepwell.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server on a Unix domain socket in a temporary directory: each response's body says
 * which connection served it, the how-manieth request on it that was, and the {@code Host} and
 * request target it got ({@code conn=1 req=2 host=localhost target=/x}). Keep-alive unless asked
 * for {@code Connection: close}.
 */
public final class UnixSocketServer implements AutoCloseable {

    private final Path directory;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    public UnixSocketServer() throws IOException {
        this.directory = Files.createTempDirectory("keepwell-uds");
        this.socket = directory.resolve("server.sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread acceptor = new Thread(this::acceptLoop, "uds-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public Path socket() {
        return socket;
    }

    public int acceptedConnections() {
        return accepted.get();
    }

    public int openConnections() {
        return (int) open.stream().filter(SocketChannel::isOpen).count();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                int id = accepted.incrementAndGet();
                open.add(ch);
                Thread t = new Thread(() -> serve(ch, id), "uds-server-conn-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel ch, int id) {
        try (ch; InputStream in = Channels.newInputStream(ch); OutputStream out = Channels.newOutputStream(ch)) {
            for (int n = 1; ; n++) {
                String head = HttpHeads.read(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String target = lines[0].split(" ")[1];
                String host = "";
                boolean close = false;
                for (String line : lines) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("host:")) {
                        host = line.substring(5).trim();
                    } else if (lower.startsWith("connection:") && lower.contains("close")) {
                        close = true;
                    }
                }
                byte[] body = ("conn=" + id + " req=" + n + " host=" + host + " target=" + target).getBytes(StandardCharsets.US_ASCII);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + (close ? "\r\nConnection: close" : "") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            open.remove(ch);
        }
    }


    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (SocketChannel ch : open) {
            ch.close();
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(directory);
    }
}
