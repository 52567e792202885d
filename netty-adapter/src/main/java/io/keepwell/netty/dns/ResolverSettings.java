package io.keepwell.netty.dns;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the client resolves host names.
 *
 * @param nameServers the name servers to ask; empty: those of {@code resolvConf}
 * @param resolvConf  the resolver configuration read when {@code nameServers} is empty (name
 *                    servers, {@code options ndots/timeout/attempts}, search domains)
 * @param hostsFile   the hosts file, consulted before any name server
 * @param minTtl      the shortest time an answer is cached, whatever its TTL
 * @param maxTtl      the longest time an answer is cached, whatever its TTL
 * @param negativeTtl how long a name that does not exist is remembered as such
 */
public record ResolverSettings(List<InetSocketAddress> nameServers, Path resolvConf, Path hostsFile,
                               Duration minTtl, Duration maxTtl, Duration negativeTtl) {

    /** The system's resolver configuration. */
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    /** The system's hosts file. */
    public static final Path HOSTS = Path.of("/etc/hosts");

    /**
     * The defaults: the system's resolver configuration and hosts file, TTLs honoured up to 5 minutes, misses kept 10 s.
     *
     * @return the default settings
     */
    public static ResolverSettings defaults() {
        return new ResolverSettings(List.of(), RESOLV_CONF, HOSTS, Duration.ZERO, Duration.ofMinutes(5), Duration.ofSeconds(10));
    }

    /**
     * The settings, {@code nameServers} copied.
     *
     * @param nameServers the name servers to ask; empty: those of {@code resolvConf}
     * @param resolvConf  the resolver configuration read when {@code nameServers} is empty
     * @param hostsFile   the hosts file, consulted before any name server
     * @param minTtl      the shortest time an answer is cached
     * @param maxTtl      the longest time an answer is cached
     * @param negativeTtl how long a name that does not exist is remembered as such
     */
    public ResolverSettings {
        nameServers = List.copyOf(nameServers);
    }

    /**
     * These settings with other name servers.
     *
     * @param servers the name servers; empty: those of {@code resolvConf}
     * @return the new settings
     */
    public ResolverSettings withNameServers(List<InetSocketAddress> servers) {
        return new ResolverSettings(servers, resolvConf, hostsFile, minTtl, maxTtl, negativeTtl);
    }

    /**
     * These settings with other cache bounds.
     *
     * @param min the shortest time an answer is cached
     * @param max the longest time an answer is cached
     * @return the new settings
     */
    public ResolverSettings withTtl(Duration min, Duration max) {
        return new ResolverSettings(nameServers, resolvConf, hostsFile, min, max, negativeTtl);
    }

    /**
     * These settings with another negative TTL.
     *
     * @param ttl how long a name that does not exist is remembered as such
     * @return the new settings
     */
    public ResolverSettings withNegativeTtl(Duration ttl) {
        return new ResolverSettings(nameServers, resolvConf, hostsFile, minTtl, maxTtl, ttl);
    }

    /**
     * These settings with other files.
     *
     * @param resolvConf the resolver configuration
     * @param hostsFile  the hosts file
     * @return the new settings
     */
    public ResolverSettings withFiles(Path resolvConf, Path hostsFile) {
        return new ResolverSettings(nameServers, resolvConf, hostsFile, minTtl, maxTtl, negativeTtl);
    }
}
