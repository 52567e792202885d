package io.keepwell.netty.dns;

import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DefaultDnsCnameCache;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddresses;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Netty's non-blocking resolver over the given name servers: one {@link DnsNameResolver} (one UDP
 * socket, TCP for truncated answers) per event loop, made at its first lookup, all sharing one
 * cache of answers and one of CNAMEs, so a name resolved on one loop is not asked for again on
 * another (and one of misses, {@link MissCache}). The resolver never consults Netty's default hosts file or name servers: the hosts table
 * is {@link HostsFirstResolver}'s, the servers are {@code conf}'s alone.
 */
final class DnsHostResolver implements HostResolver {

    /** Netty's default budget of queries per lookup, raised where servers × attempts × two families need more. */
    private static final int NETTY_DEFAULT_MAX_QUERIES = 16;

    private final DnsNameResolverBuilder template;
    private final MissCache misses;
    private final Map<EventLoop, DnsNameResolver> resolvers = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this

    DnsHostResolver(ResolvConf conf, TtlBounds ttl, ResolvedAddressTypes types, boolean epoll) {
        this.misses = new MissCache(ttl.negativeSeconds());
        this.template = new DnsNameResolverBuilder()
                .datagramChannelType(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .socketChannelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .resolveCache(new DefaultDnsCache(ttl.minSeconds(), ttl.maxSeconds(), ttl.negativeSeconds()))
                .cnameCache(new DefaultDnsCnameCache(ttl.minSeconds(), ttl.maxSeconds()))
                .nameServerProvider(servers(conf))
                .hostsFileEntriesResolver(NO_HOSTS_FILE)
                .resolvedAddressTypes(types)
                .completeOncePreferredResolved(false) // Happy Eyeballs wants both families
                .queryTimeoutMillis(conf.timeoutSeconds() * 1000L)
                .maxQueriesPerResolve(Math.max(NETTY_DEFAULT_MAX_QUERIES, 2 * conf.nameServers().size() * conf.attempts()))
                .ndots(conf.ndots())
                .searchDomains(conf.searchDomains());
    }

    private static final HostsFileEntriesResolver NO_HOSTS_FILE = (host, types) -> null;

    private static DnsServerAddressStreamProvider servers(ResolvConf conf) {
        if (conf.nameServers().isEmpty()) {
            throw new IllegalArgumentException("no name server");
        }
        DnsServerAddresses addresses = conf.rotate()
                ? DnsServerAddresses.rotational(conf.nameServers())
                : DnsServerAddresses.sequential(conf.nameServers());
        int attempts = conf.attempts();
        return host -> new AttemptsServerStream(addresses.stream(), attempts);
    }

    @Override
    public Future<List<InetAddress>> resolveAll(String host, EventLoop loop) {
        DnsNameResolver resolver = resolverOf(loop);
        if (resolver == null) {
            return loop.newFailedFuture(new UnknownHostException(host + ": the resolver is closed"));
        }
        UnknownHostException remembered = misses.get(host);
        if (remembered != null) {
            return loop.newFailedFuture(remembered);
        }
        Future<List<InetAddress>> lookup = resolver.resolveAll(host);
        lookup.addListener(done -> { // before the relay's listener: the miss is known when the caller learns of it
            if (done.cause() != null) {
                misses.offer(host, done.cause());
            }
        });
        Promise<List<InetAddress>> promise = loop.newPromise();
        Outcomes.relay(lookup, promise, host);
        return promise;
    }

    private DnsNameResolver resolverOf(EventLoop loop) {
        DnsNameResolver resolver = resolvers.get(loop);
        if (resolver != null) {
            return resolver;
        }
        synchronized (this) {
            if (closed) {
                return null;
            }
            return resolvers.computeIfAbsent(loop, l -> template.copy().eventLoop(l).build());
        }
    }

    /** Closes every loop's resolver: its sockets close and its lookups under way fail. */
    @Override
    public void close() {
        List<DnsNameResolver> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(resolvers.values());
            resolvers.clear();
        }
        open.forEach(DnsNameResolver::close);
    }
}
