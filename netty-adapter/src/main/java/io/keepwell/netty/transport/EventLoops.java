package io.keepwell.netty.transport;

import io.keepwell.netty.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/** The event loops a client owns, and the transport they run: native epoll or NIO. */
public final class EventLoops {

    private final Transport transport;
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;

    private EventLoops(Transport transport, EventLoopGroup group, Class<? extends SocketChannel> channelClass) {
        this.transport = transport;
        this.group = group;
        this.channelClass = channelClass;
    }

    /**
     * Starts {@code threads} event loops (0 means Netty's default: twice the cores) of the chosen
     * transport, each polling for up to {@code spin} before it blocks for I/O ({@link SpinThenBlock};
     * zero blocks at once, Netty's default). {@link Transport#AUTO} resolves to EPOLL when the
     * native library loads.
     */
    public static EventLoops start(Transport requested, int threads, String threadPrefix, java.time.Duration spin) {
        Transport resolved = resolve(requested);
        DefaultThreadFactory threadFactory = new DefaultThreadFactory(threadPrefix, true);
        IoHandlerFactory ioHandler;
        if (spin.isZero()) {
            ioHandler = resolved == Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        } else if (resolved == Transport.EPOLL) {
            ioHandler = SpinThenBlock.handlers(spin.toNanos(), strategy -> EpollIoHandler.newFactory(0, strategy));
        } else {
            ioHandler = SpinThenBlock.handlers(spin.toNanos(),
                    strategy -> NioIoHandler.newFactory(java.nio.channels.spi.SelectorProvider.provider(), strategy));
        }
        Class<? extends SocketChannel> channelClass = resolved == Transport.EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
        return new EventLoops(resolved, new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandler), channelClass);
    }

    static Transport resolve(Transport requested) {
        return switch (requested) {
            case AUTO -> Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("native epoll is not available", Epoll.unavailabilityCause());
                }
                yield Transport.EPOLL;
            }
            case NIO -> Transport.NIO;
        };
    }

    /** EPOLL or NIO: never AUTO. */
    public Transport transport() {
        return transport;
    }

    public EventLoopGroup group() {
        return group;
    }

    public Class<? extends SocketChannel> channelClass() {
        return channelClass;
    }

    /** The channel class for Unix domain sockets: native epoll's, or NIO's (Java 16's {@code UnixDomainSocketAddress}). */
    public Class<? extends io.netty.channel.Channel> domainChannelClass() {
        return transport == Transport.EPOLL ? io.netty.channel.epoll.EpollDomainSocketChannel.class
                : io.netty.channel.socket.nio.NioDomainSocketChannel.class;
    }

    /** The address of the socket file at {@code path}, as this transport's domain channels take it. */
    public java.net.SocketAddress domainSocketAddress(String path) {
        return transport == Transport.EPOLL ? new io.netty.channel.unix.DomainSocketAddress(path)
                : java.net.UnixDomainSocketAddress.of(path);
    }

    /** Whether the calling thread is one of these event loops. */
    public boolean inAnyEventLoop() {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }
}
