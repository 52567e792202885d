package io.keepwell.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the tests' small proxies share: a listener on 127.0.0.1, a thread per connection, the
 * table of host names they may reach (each a 127.0.0.1 port), a log of what each connection asked
 * for, and counts of connections accepted and open.
 */
abstract class LoopbackProxyServer implements AutoCloseable {

    private final ServerSocket server;
    protected final Map<String, Integer> targets;
    protected final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    LoopbackProxyServer(Map<String, Integer> targets, String name) throws IOException {
        this.targets = Map.copyOf(targets);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        Thread acceptor = new Thread(() -> acceptLoop(name), name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Serves one accepted connection, on a thread of its own. */
    abstract void serve(Socket client);

    public final int port() {
        return server.getLocalPort();
    }

    public final InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port());
    }

    public final int acceptedConnections() {
        return accepted.get();
    }

    public final int openConnections() {
        return (int) open.stream().filter(s -> !s.isClosed()).count();
    }

    /** What the connections asked for, in order; each proxy says in what form. */
    public final List<String> connects() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    final void logConnect(String entry) {
        log.add(entry);
    }

    final void close(Socket socket) {
        SocketPipes.close(socket, open);
    }

    /** Closes every connection it has, client and origin sides, and goes on listening. */
    public final void dropConnections() {
        for (Socket s : open) {
            close(s);
        }
    }

    private void acceptLoop(String name) {
        while (!closed) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                open.add(client);
                Thread t = new Thread(() -> serve(client), name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            close(s);
        }
    }
}
