package io.keepwell.netty.dns;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

import java.net.InetAddress;
import java.util.List;

/**
 * Turns a host name into its addresses without blocking an event loop: the client's one resolver,
 * shared by its connections. The future completes with every address found, in the order they
 * should be tried (the first family the name server returned first), or fails with an
 * {@link java.net.UnknownHostException}. Nothing here bounds the time a lookup takes: the
 * connect's deadline does, and cancels the future when it runs out.
 */
public interface HostResolver extends AutoCloseable {

    /**
     * Resolves {@code host}, a name (never an address literal).
     *
     * @param host the host name, as in the URI or the proxy's address
     * @param loop the event loop of the connection being opened; the future may complete on another thread
     * @return the addresses, at least one, or a failure
     */
    Future<List<InetAddress>> resolveAll(String host, EventLoop loop);

    /** Releases the resolver's sockets and threads. */
    @Override
    void close();
}
