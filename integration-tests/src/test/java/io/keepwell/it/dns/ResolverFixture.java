package io.keepwell.it.dns;

import io.keepwell.netty.dns.HostResolver;
import io.keepwell.netty.dns.HostResolvers;
import io.keepwell.netty.dns.ResolverSettings;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Event loops and resolvers for a test, closed together: the resolvers first, as the client does,
 * then the loops. Files the resolver reads are written to {@code dir}.
 */
final class ResolverFixture implements AutoCloseable {

    static final Duration NO_MIN = Duration.ZERO;
    static final Duration MAX = Duration.ofMinutes(5);

    private final Path dir;
    private final boolean epoll;
    final EventLoopGroup group;
    private final List<HostResolver> resolvers = new ArrayList<>();

    ResolverFixture(Path dir, int threads, boolean epoll) {
        this.dir = dir;
        this.epoll = epoll;
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("dns-test-loop", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    ResolverFixture(Path dir) {
        this(dir, 1, false);
    }

    static boolean epollAvailable() {
        return Epoll.isAvailable();
    }

    EventLoop loop() {
        return group.next();
    }

    /** A hosts file of {@code lines}. */
    Path hosts(String... lines) throws Exception {
        return write("hosts", lines);
    }

    /** A resolv.conf of {@code lines}. */
    Path resolvConf(String... lines) throws Exception {
        return write("resolv.conf", lines);
    }

    private Path write(String prefix, String... lines) throws Exception {
        Path file = Files.createTempFile(dir, prefix, "");
        Files.write(file, List.of(lines));
        return file;
    }

    /** {@code resolv.conf}'s line for {@code server}, in Netty's address-dot-port form. */
    static String nameserver(InetSocketAddress server) {
        return "nameserver " + server.getAddress().getHostAddress() + "." + server.getPort();
    }

    /** A resolver asking {@code server}, with an empty hosts file and the given cache bounds. */
    HostResolver resolver(InetSocketAddress server, Duration min, Duration max, Duration negative) throws Exception {
        return create(new ResolverSettings(List.of(server), resolvConf(), hosts(), min, max, negative));
    }

    HostResolver resolver(InetSocketAddress server) throws Exception {
        return resolver(server, NO_MIN, MAX, Duration.ofSeconds(10));
    }

    /** A resolver reading {@code resolvConf} (no explicit server) and {@code hosts}. */
    HostResolver fromFiles(Path resolvConf, Path hosts) {
        return create(new ResolverSettings(List.of(), resolvConf, hosts, NO_MIN, MAX, Duration.ofSeconds(10)));
    }

    HostResolver create(ResolverSettings settings) {
        HostResolver resolver = HostResolvers.create(settings, group, epoll);
        resolvers.add(resolver);
        return resolver;
    }

    /** Resolves on the loop, as the connect path does, and waits. */
    List<InetAddress> resolve(HostResolver resolver, String host) throws Exception {
        return start(resolver, host).get(10, TimeUnit.SECONDS);
    }

    /** The lookup's failure; fails the test if it succeeds. */
    Throwable failure(HostResolver resolver, String host) throws Exception {
        try {
            List<InetAddress> found = resolve(resolver, host);
            throw new AssertionError(host + " resolved to " + found);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** Starts a lookup from the loop's own thread. */
    Future<List<InetAddress>> start(HostResolver resolver, String host) throws Exception {
        EventLoop loop = loop();
        return loop.submit(() -> resolver.resolveAll(host, loop)).get(10, TimeUnit.SECONDS);
    }

    static List<InetAddress> addresses(String... literals) {
        List<InetAddress> out = new ArrayList<>();
        for (String literal : literals) {
            out.add(io.netty.util.NetUtil.createInetAddressFromIpAddressString(literal));
        }
        return out;
    }

    @Override
    public void close() {
        resolvers.forEach(HostResolver::close);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
