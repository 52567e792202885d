package io.keepwell.it.support;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * dnsmasq answering DNS on {@code 127.0.0.1:port()} (UDP and TCP) from records the test gives,
 * and nothing else: no {@code /etc/resolv.conf}, no {@code /etc/hosts}, no upstream server. Give
 * it to the client with {@code resolver(List.of(dnsmasq.nameServer()))}.
 *
 * <ul>
 * <li>{@link #withAddresses} names a host's addresses, answered in the order given, every time
 *     ({@code no-round-robin}: by default dnsmasq rotates them from one answer to the next), with
 *     the TTL of {@link #withLocalTtl} (0 by default).</li>
 * <li>{@link #replaceAddresses} changes every record while dnsmasq runs (it rewrites the hosts file
 *     and sends {@code SIGHUP}, on which dnsmasq reads it again), and returns once dnsmasq answers
 *     with the new addresses.</li>
 * <li>{@link #withSilentDomain} forwards a domain to a name server that never answers (a
 *     {@link SilentNameServer}), so lookups of its names hang until the client gives up.</li>
 * <li>Any other name under {@value #LOCAL_DOMAIN} gets NXDOMAIN at once.</li>
 * </ul>
 * Every query is logged to stderr ({@code log-queries}).
 */
public final class DnsmasqContainer extends LoopbackServerContainer<DnsmasqContainer> {

    /** The domain dnsmasq answers for itself: names under it that it does not know get NXDOMAIN. */
    public static final String LOCAL_DOMAIN = "test";

    private static final String HOSTS_FILE = "/tmp/dns-hosts";
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);

    private final Map<String, List<String>> addresses = new LinkedHashMap<>();
    private final Map<String, InetSocketAddress> silentDomains = new LinkedHashMap<>();
    private Duration localTtl = Duration.ZERO;

    /** {@code name} resolves to {@code ipAddresses} (literals, IPv4 or IPv6), in this order. */
    public DnsmasqContainer withAddresses(String name, String... ipAddresses) {
        addresses.put(name, List.of(ipAddresses));
        return this;
    }

    /** {@code local-ttl}: the TTL, in whole seconds, of the answers from {@link #withAddresses}. */
    public DnsmasqContainer withLocalTtl(Duration ttl) {
        if (ttl.isNegative() || ttl.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("a TTL is a whole number of seconds: " + ttl);
        }
        this.localTtl = ttl;
        return this;
    }

    /** Queries for names under {@code domain} are forwarded to {@code silentServer} (a loopback address). */
    public DnsmasqContainer withSilentDomain(String domain, InetSocketAddress silentServer) {
        if (!silentServer.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("forward to loopback name servers only: " + silentServer);
        }
        silentDomains.put(domain, silentServer);
        return this;
    }

    /** The address to pass as the client's name server. */
    public InetSocketAddress nameServer() {
        return address();
    }

    /**
     * Replaces every record of {@link #withAddresses} with {@code newAddresses} while dnsmasq runs,
     * and waits until dnsmasq answers each name with its new IPv4 addresses.
     */
    public void replaceAddresses(Map<String, List<String>> newAddresses) throws Exception {
        addresses.clear();
        addresses.putAll(newAddresses);
        execShell(writeFileCommand(HOSTS_FILE, hostsFile()) + " && kill -HUP 1");
        for (Map.Entry<String, List<String>> entry : newAddresses.entrySet()) {
            List<InetAddress> expected = new ArrayList<>();
            for (String literal : entry.getValue()) {
                InetAddress address = InetAddress.getByName(literal); // a literal: no lookup
                if (address.getAddress().length == 4) {
                    expected.add(address);
                }
            }
            Poll.until(() -> DnsQuery.ask(nameServer(), entry.getKey(), DnsQuery.A, ANSWER_WAIT).addresses(),
                    expected::equals, ANSWER_WAIT, "dnsmasq answering " + entry.getKey() + " with " + expected);
        }
    }

    /** Every query and answer dnsmasq logged so far, one line each. */
    public List<String> queryLog() {
        return getLogs().lines().filter(line -> line.contains("query[") || line.contains(" is ")
                || line.contains("forwarded ")).toList();
    }

    private String hostsFile() {
        StringBuilder s = new StringBuilder("# name -> addresses, in answer order");
        addresses.forEach((name, list) -> list.forEach(address -> s.append('\n').append(address).append(' ').append(name)));
        return s.toString();
    }

    @Override
    protected String prepareCommand() {
        return writeFileCommand(HOSTS_FILE, hostsFile());
    }

    @Override
    protected String serverCommand() {
        return "dnsmasq --keep-in-foreground -C " + CONFIG_FILE;
    }

    @Override
    protected String renderConfig(int port) {
        StringBuilder s = new StringBuilder()
                .append("port=").append(port).append('\n')
                .append("listen-address=127.0.0.1\n")
                .append("bind-interfaces\n")
                .append("no-resolv\n")
                .append("no-hosts\n")
                .append("no-poll\n")
                .append("no-round-robin\n")
                .append("pid-file=/tmp/dnsmasq.pid\n")
                .append("addn-hosts=").append(HOSTS_FILE).append('\n')
                .append("local-ttl=").append(localTtl.toSeconds()).append('\n')
                .append("local=/").append(LOCAL_DOMAIN).append("/\n")
                .append("log-queries\n")
                .append("log-facility=-\n");
        silentDomains.forEach((domain, server) -> s.append("server=/").append(domain).append('/')
                .append(server.getAddress().getHostAddress()).append('#').append(server.getPort()).append('\n'));
        return s.toString();
    }
}
