package io.keepwell.netty.connect;

import io.keepwell.netty.dns.HostResolver;
import io.keepwell.netty.handler.RequestTrace;
import io.keepwell.netty.proxy.ProxyCredentials;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.Route;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Opens the client's connections: one {@link ConnectAttempt} per connection, over TCP (direct or
 * through a proxy) or a Unix domain socket. Name resolution is the client's {@link HostResolver}'s,
 * never Netty's bootstrap's (which would block an event loop).
 */
public final class Dialer {

    /** The one handler of an attempt's pipeline besides the proxy's; gone once the connection is handed over. */
    static final String ATTEMPT = "connect-attempt";

    private final Bootstrap tcp;
    private final Bootstrap unix;
    private final Function<String, SocketAddress> unixAddress;
    private final HostResolver resolver;
    private final ProxyCredentials credentials;
    private final Duration connectTimeout;
    private final ChannelGroup channels;
    private final Set<ConnectAttempt> inProgress = ConcurrentHashMap.newKeySet();
    private final AtomicLong abandoned = new AtomicLong();

    /**
     * {@code tcp} and {@code unix} have their group, channel and options set; {@code channels}
     * gets every channel opened, so that closing the client closes attempts in flight too.
     */
    public Dialer(Bootstrap tcp, Bootstrap unix, Function<String, SocketAddress> unixAddress, HostResolver resolver,
                  ProxyCredentials credentials, Duration connectTimeout, ChannelGroup channels) {
        this.tcp = tcp.clone().resolver(NoopAddressResolverGroup.INSTANCE).option(ChannelOption.AUTO_READ, false);
        this.unix = unix.clone().resolver(NoopAddressResolverGroup.INSTANCE).option(ChannelOption.AUTO_READ, false);
        this.unixAddress = unixAddress;
        this.resolver = resolver;
        this.credentials = credentials;
        this.connectTimeout = connectTimeout;
        this.channels = channels;
    }

    /**
     * Starts opening a connection for {@code key} on {@code loop}. The future's channel reads
     * nothing on its own and has no handler of Keepwell's yet: the caller installs them and turns
     * reading on ({@link #handOver}).
     */
    public Future<Channel> open(PoolKey key, RequestTrace trace, EventLoop loop) {
        ConnectAttempt attempt = new ConnectAttempt(this, key, trace, loop);
        inProgress.add(attempt);
        attempt.future().addListener(f -> inProgress.remove(attempt));
        try {
            attempt.start();
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            inProgress.remove(attempt);
            return loop.newFailedFuture(new io.keepwell.http.ClientClosedException("the client was closed"));
        }
        return attempt.future();
    }

    /** Readies a connection the attempt handed over for its protocol's handlers: the attempt's own handler goes, reading starts. */
    public static void handOver(Channel channel) {
        if (channel.pipeline().get(ATTEMPT) != null) {
            channel.pipeline().remove(ATTEMPT);
        }
        channel.config().setAutoRead(true);
    }

    /** Fails every connect still in progress; the client is closing. */
    public void abortAll(IOException cause) {
        for (ConnectAttempt attempt : inProgress) {
            attempt.abort(cause);
        }
    }

    /** Connect attempts closed because another address of the same name connected first (Happy Eyeballs). */
    public long abandonedAttempts() {
        return abandoned.get();
    }

    void countAbandoned() {
        abandoned.incrementAndGet();
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    HostResolver resolver() {
        return resolver;
    }

    ProxyCredentials credentials() {
        return credentials;
    }

    SocketAddress unixSocketAddress(String path) {
        return unixAddress.apply(path);
    }

    /** One attempt's channel to {@code address}: the proxy's handler when a tunnel is wanted, and the attempt's. */
    ChannelFuture dial(PoolKey key, SocketAddress address, EventLoop loop, PasswordAuthentication proxyCredentials) {
        Route route = key.route();
        Bootstrap b;
        if (route.kind() == Route.Kind.UNIX_SOCKET) {
            b = unix.clone(loop);
        } else {
            b = tcp.clone(loop);
        }
        ProxyHandler proxy = proxyHandler(key, address, proxyCredentials);
        b.handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (proxy != null) {
                    proxy.setConnectTimeoutMillis(0); // the attempt's deadline bounds the tunnel
                    ch.pipeline().addLast(proxy);
                }
                ch.pipeline().addLast(ATTEMPT, new AttemptGuard());
            }
        });
        ChannelFuture connect = b.connect(proxy == null ? address : tunnelTarget(key));
        if (connect.channel().isRegistered()) { // on its loop, registration is done or has failed by now
            channels.add(connect.channel());
        }
        return connect;
    }

    /** CONNECT or SOCKS5 for a tunnel; none for a direct connection or an HTTP proxy that forwards {@code http}. */
    private static ProxyHandler proxyHandler(PoolKey key, SocketAddress proxyAddress, PasswordAuthentication credentials) {
        Route route = key.route();
        String user = credentials == null ? null : credentials.getUserName();
        String password = credentials == null ? null : new String(credentials.getPassword());
        if (route.kind() == Route.Kind.SOCKS_PROXY) {
            return user == null ? new Socks5ProxyHandler(proxyAddress) : new Socks5ProxyHandler(proxyAddress, user, password);
        }
        if (route.kind() == Route.Kind.HTTP_PROXY && key.scheme().equals("https")) {
            return user == null ? new HttpProxyHandler(proxyAddress) : new HttpProxyHandler(proxyAddress, user, password);
        }
        return null;
    }

    /** What a tunnel is asked for: the origin, by name (the proxy resolves it). */
    private static InetSocketAddress tunnelTarget(PoolKey key) {
        InetAddress literal = literal(key.host());
        return literal != null ? new InetSocketAddress(literal, key.port()) : InetSocketAddress.createUnresolved(key.host(), key.port());
    }

    /** The address a host written as an IP literal stands for (brackets allowed); null for a name. */
    static InetAddress literal(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return NetUtil.createInetAddressFromIpAddressString(bare);
    }

    /** Swallows what an attempt's pipeline sees before it is handed over: its failure is told through its futures. */
    private static final class AttemptGuard extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
