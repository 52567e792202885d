package io.keepwell.netty.dns;

import io.netty.channel.EventLoopGroup;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.util.NetUtil;

/** Builds the client's {@link HostResolver} from its settings. */
public final class HostResolvers {

    private HostResolvers() {
    }

    /**
     * The resolver for {@code settings}: the hosts file first, then Netty's non-blocking DNS
     * resolver over {@code settings}' name servers, or else those of its {@code resolv.conf} (with
     * that file's {@code ndots}, {@code timeout}, {@code attempts}, {@code rotate} and search list).
     * Where neither names a name server, the JDK's resolver on at most two threads of its own
     * ({@code keepwell-dns-N}), never a public name server. Both address families are asked for,
     * IPv4 first unless {@code java.net.preferIPv6Addresses} is {@code true} (IPv4 only under
     * {@code java.net.preferIPv4Stack}), and their addresses come back in that order.
     *
     * @param settings the name servers, files and cache bounds
     * @param group    the client's event loops; each loop that resolves gets its resolver socket at
     *                 its first lookup, so the group is not used here
     * @param epoll    whether the loops are epoll's (else NIO's), for the resolver's channel types
     * @return a resolver to {@link HostResolver#close() close} before {@code group} shuts down
     */
    public static HostResolver create(ResolverSettings settings, EventLoopGroup group, boolean epoll) {
        ResolvedAddressTypes types = addressTypes();
        ResolvConf conf = settings.nameServers().isEmpty()
                ? ResolvConf.read(settings.resolvConf())
                : ResolvConf.of(settings.nameServers());
        HostResolver lookup = conf.nameServers().isEmpty()
                ? new JdkHostResolver()
                : new DnsHostResolver(conf, TtlBounds.of(settings), types, epoll);
        return new HostsFirstResolver(HostsTable.read(settings.hostsFile()), types, lookup);
    }

    /** The JDK's own preference, read as {@code InetAddress} reads it. */
    static ResolvedAddressTypes addressTypes() {
        if (NetUtil.isIpV4StackPreferred()) {
            return ResolvedAddressTypes.IPV4_ONLY;
        }
        return NetUtil.isIpV6AddressesPreferred() ? ResolvedAddressTypes.IPV6_PREFERRED : ResolvedAddressTypes.IPV4_PREFERRED;
    }
}
