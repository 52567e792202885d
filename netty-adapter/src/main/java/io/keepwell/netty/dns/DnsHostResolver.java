package io.keepwell.netty.dns;

import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
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
 * cache of answers, one of CNAMEs and one of misses ({@link MissCache}), so a name resolved on one
 * loop is not asked for again on another. It never consults Netty's default hosts file or name
 * servers: the hosts table is {@link HostsFirstResolver}'s, the servers are {@code conf}'s alone.
 */
final class DnsHostResolver implements HostResolver {

    /** Netty's default budget of queries per round, raised where servers × two families need more. */
    private static final int NETTY_DEFAULT_MAX_QUERIES = 16;
    /** Netty's resolver would read /etc/hosts itself; the settings' hosts file is read before it. */
    private static final HostsFileEntriesResolver NO_HOSTS_FILE = (host, types) -> null;

    private final DnsNameResolverBuilder template;
    private final MissCache misses;
    private final int attempts;
    private final Map<EventLoop, DnsNameResolver> resolvers = new ConcurrentHashMap<>();
    /** Lookups under way and their hosts, failed by close: Netty leaves a query on a closed resolver to its timeout. */
    private final Map<Promise<List<InetAddress>>, String> pending = new ConcurrentHashMap<>();
    private volatile boolean closed; // set under this

    DnsHostResolver(ResolvConf conf, TtlBounds ttl, ResolvedAddressTypes types, boolean epoll) {
        this.misses = new MissCache(ttl.negativeSeconds());
        this.attempts = conf.attempts();
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
                .maxQueriesPerResolve(Math.max(NETTY_DEFAULT_MAX_QUERIES, 2 * conf.nameServers().size()))
                .ndots(conf.ndots())
                .searchDomains(conf.searchDomains());
    }

    private static DnsServerAddressStreamProvider servers(ResolvConf conf) {
        if (conf.nameServers().isEmpty()) {
            throw new IllegalArgumentException("no name server");
        }
        DnsServerAddresses addresses = conf.rotate()
                ? DnsServerAddresses.rotational(conf.nameServers())
                : DnsServerAddresses.sequential(conf.nameServers());
        return host -> addresses.stream();
    }

    @Override
    public Future<List<InetAddress>> resolveAll(String host, EventLoop loop) {
        DnsNameResolver resolver = resolverOf(loop);
        if (resolver == null) {
            return loop.newFailedFuture(closed(host));
        }
        UnknownHostException remembered = misses.get(host);
        if (remembered != null) {
            return loop.newFailedFuture(remembered);
        }
        Promise<List<InetAddress>> promise = loop.newPromise();
        pending.put(promise, host);
        promise.addListener(done -> pending.remove(promise));
        if (closed) { // closed since resolverOf: close may have missed this one
            promise.tryFailure(closed(host));
            return promise;
        }
        attempt(resolver, host, attempts, promise);
        return promise;
    }

    private static UnknownHostException closed(String host) {
        return new UnknownHostException(host + ": the resolver is closed");
    }

    /**
     * One round over the servers (Netty asks each in turn until one answers); when every one timed
     * out, another round while {@code left} allows, as glibc's {@code attempts}. An answer, a miss
     * included, ends the lookup.
     */
    private void attempt(DnsNameResolver resolver, String host, int left, Promise<List<InetAddress>> promise) {
        Future<List<InetAddress>> round = resolver.resolveAll(host);
        promise.addListener(done -> round.cancel(false)); // cancelled, or failed by close: the round is not wanted
        round.addListener(done -> {
            if (done.isSuccess()) {
                promise.trySuccess(round.getNow());
            } else if (!done.isCancelled() && !promise.isDone()) {
                if (left > 1 && !closed && DnsNameResolver.isTimeoutError(done.cause())) {
                    attempt(resolver, host, left - 1, promise);
                } else {
                    misses.offer(host, done.cause()); // before the caller learns of the miss, so its next lookup finds it
                    promise.tryFailure(Outcomes.unknownHost(host, done.cause()));
                }
            }
        });
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

    /** Closes every loop's resolver, its socket with it, and fails the lookups under way. */
    @Override
    public void close() {
        List<DnsNameResolver> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(resolvers.values());
            resolvers.clear();
        }
        open.forEach(DnsNameResolver::close);
        new ArrayList<>(pending.entrySet()).forEach(lookup -> lookup.getKey().tryFailure(closed(lookup.getValue())));
    }
}
