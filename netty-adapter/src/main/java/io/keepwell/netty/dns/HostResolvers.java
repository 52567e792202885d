package io.keepwell.netty.dns;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.DefaultNameResolver;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.net.InetAddress;
import java.util.List;

/** Builds the client's {@link HostResolver} from its settings. */
public final class HostResolvers {

    private HostResolvers() {
    }

    /**
     * The resolver for {@code settings}, its sockets on {@code group}'s event loops.
     * PLACEHOLDER until the DNS work lands: the JDK's resolver on one thread of its own.
     */
    public static HostResolver create(ResolverSettings settings, EventLoopGroup group, boolean epoll) {
        EventExecutor executor = new DefaultEventExecutor(new DefaultThreadFactory("keepwell-dns", true));
        DefaultNameResolver jdk = new DefaultNameResolver(executor);
        return new HostResolver() {
            @Override
            public Future<List<InetAddress>> resolveAll(String host, EventLoop loop) {
                return jdk.resolveAll(host);
            }

            @Override
            public void close() {
                executor.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
            }
        };
    }
}
