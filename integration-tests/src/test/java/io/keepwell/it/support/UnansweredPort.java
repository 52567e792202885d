package io.keepwell.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback address and port where a TCP connect neither succeeds nor fails: a listening socket
 * that never accepts, its accept queue filled, so the kernel drops further SYNs and a connect
 * hangs until the client gives up, like one to a host that does not answer. (A loopback address
 * where nothing listens refuses at once instead.)
 */
public final class UnansweredPort implements AutoCloseable {

    private static final int FILL_ATTEMPTS = 8;
    private static final int PROBE_TIMEOUT_MILLIS = 200;

    private final ServerSocket listener;
    private final List<Socket> queued = new ArrayList<>();

    private UnansweredPort(ServerSocket listener) {
        this.listener = listener;
    }

    /**
     * Listens on {@code address} (loopback only) and fills the accept queue.
     *
     * @throws IOException if the bind fails, or connects still succeed after several attempts
     */
    public static UnansweredPort on(InetSocketAddress address) throws IOException {
        if (!address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("loopback addresses only: " + address);
        }
        ServerSocket listener = new ServerSocket();
        UnansweredPort port = new UnansweredPort(listener);
        try {
            listener.bind(address, 1);
            port.fillQueue();
            return port;
        } catch (IOException | RuntimeException e) {
            port.close();
            throw e;
        }
    }

    private void fillQueue() throws IOException {
        for (int i = 0; i < FILL_ATTEMPTS; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(listener.getLocalSocketAddress(), PROBE_TIMEOUT_MILLIS);
                queued.add(socket);
            } catch (SocketTimeoutException full) {
                socket.close();
                return;
            }
        }
        throw new IOException("connects to " + listener.getLocalSocketAddress() + " still succeed after "
                + FILL_ATTEMPTS + " queued connections");
    }

    /** The address and port that does not answer. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : queued) {
            socket.close();
        }
        listener.close();
    }
}
