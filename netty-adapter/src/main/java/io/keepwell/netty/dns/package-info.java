/**
 * Name resolution for the client's connects, never on an event loop's time.
 *
 * <p>{@link io.keepwell.netty.dns.HostResolvers#create HostResolvers.create} builds it from
 * {@link io.keepwell.netty.dns.ResolverSettings}:
 * <ul>
 * <li>The hosts file first ({@code /etc/hosts}, read once when the client is built), every address
 * a name has there; a name it gives is never asked for.</li>
 * <li>Then Netty's non-blocking DNS resolver over the builder's {@code resolver(..)} servers, or
 * else those of {@code /etc/resolv.conf} (at most three, as glibc), with that file's
 * {@code options ndots: timeout: attempts: rotate} (amended by {@code RES_OPTIONS}) and its
 * {@code search} or {@code domain} list. {@code attempts} counts rounds over the servers, another
 * round only when every server timed out: an answer, NXDOMAIN included, ends the lookup. Explicit
 * servers get glibc's defaults (timeout 5 s, 2 attempts, ndots 1, no search list). Each event loop
 * that resolves gets one UDP socket, and TCP for truncated answers; the caches are shared.</li>
 * <li>Where the file names no name server, or is missing: the JDK's resolver, on at most two daemon
 * threads named {@code keepwell-dns-N} that end when idle; never a public name server. Its caching
 * is the JDK's own ({@code networkaddress.cache.ttl}), not the settings' bounds.</li>
 * <li>Answers are cached for their TTL, raised to {@code dnsCacheTtl}'s minimum and cut to its
 * maximum (default 0 and 5 minutes; whole seconds, a part of one counting as one); CNAMEs likewise.
 * A name that does not exist is remembered for {@code dnsNegativeCacheTtl} (default 10 s), whether
 * or not its server is authoritative; a name server that did not answer is not remembered.</li>
 * <li>Both address families are asked for, and returned IPv4 first unless
 * {@code java.net.preferIPv6Addresses=true} (IPv4 only under {@code java.net.preferIPv4Stack=true}),
 * in the order the server gave within each family. {@code localhost} and its subdomains are the
 * loopback address without a query (RFC 6761) unless the hosts file says otherwise.</li>
 * <li>Failures are {@link java.net.UnknownHostException}s naming the host. A lookup runs within the
 * connect's {@code connectTimeout}, which cancels it; {@code close()} fails those under way.</li>
 * </ul>
 */
package io.keepwell.netty.dns;
