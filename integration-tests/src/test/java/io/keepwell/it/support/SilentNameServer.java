package io.keepwell.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP port on 127.0.0.1 that takes DNS queries and never answers: a name server that drops
 * queries. It counts what it receives, so a test can tell a lookup reached it (or, used as the
 * client's only name server, that the client resolved nothing).
 */
public final class SilentNameServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final AtomicInteger received = new AtomicInteger();
    private final Thread reader;

    private SilentNameServer(DatagramSocket socket) {
        this.socket = socket;
        this.reader = new Thread(this::readLoop, "silent-name-server");
        reader.setDaemon(true);
        reader.start();
    }

    /** Binds a fresh UDP port on 127.0.0.1. */
    public static SilentNameServer start() {
        try {
            return new SilentNameServer(new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0)));
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot bind a UDP port on 127.0.0.1", e);
        }
    }

    /** {@code 127.0.0.1:port}. */
    public InetSocketAddress address() {
        return new InetSocketAddress(FreePorts.LOOPBACK, socket.getLocalPort());
    }

    /** Datagrams received so far. */
    public int queriesReceived() {
        return received.get();
    }

    private void readLoop() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                socket.receive(new DatagramPacket(buffer, buffer.length));
                received.incrementAndGet();
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        reader.join(5_000);
    }
}
