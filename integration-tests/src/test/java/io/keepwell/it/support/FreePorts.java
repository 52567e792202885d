package io.keepwell.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks free TCP ports on 127.0.0.1 for servers that run with host networking.
 *
 * <p>A port is free when it is picked; another process can still take it before the server binds
 * it. {@link LoopbackServerContainer} retries its start with a new port when that happens.
 */
public final class FreePorts {

    /** 127.0.0.1, the only address the tests bind or target. */
    public static final InetAddress LOOPBACK = loopback();

    /** Ports handed out by this JVM; never handed out twice, so servers started together differ. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /** Returns a port that nothing listens on at 127.0.0.1 and that this JVM has not handed out. */
    public static int pick() {
        while (true) {
            int port;
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(LOOPBACK, 0));
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind an ephemeral port on 127.0.0.1", e);
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
