package io.keepwell.it.support;

import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * squid 5 as an HTTP proxy on {@code 127.0.0.1:port()}, with its own config: no cache, forwarding
 * (absolute-form requests) and {@code CONNECT} tunnels to any port, but only to loopback origins.
 *
 * <p>squid resolves no name through DNS: its {@code hosts_file} maps {@link #ORIGIN_HOST} and
 * {@link #DENIED_HOST} to 127.0.0.1, and its name server is 127.0.0.1:53, where nothing listens,
 * so any other name fails at once instead of reaching the system's name servers.
 *
 * <ul>
 * <li>{@link #DENIED_HOST} is refused with 403, before authentication, to a forwarded request and
 *     to a {@code CONNECT}.</li>
 * <li>A {@code CONNECT} to a port where nothing listens gets 503 ({@code ERR_CONNECT_FAIL}).</li>
 * <li>{@link #withBasicAuth} requires Basic proxy authentication of one user (407 without it).</li>
 * </ul>
 * squid writes an {@link #accessLog()} entry when an exchange ends: for a tunnel, when it closes.
 */
public final class SquidContainer extends LoopbackServerContainer<SquidContainer> {

    /** A name squid maps to 127.0.0.1, for origins reached through it. */
    public static final String ORIGIN_HOST = "origin.test";
    /** A name squid maps to 127.0.0.1 but refuses to carry anything to (403). */
    public static final String DENIED_HOST = "denied.test";

    private static final String ACCESS_LOG = "/tmp/squid-access.log";
    private static final String HOSTS_FILE = "/tmp/squid-hosts";
    private static final String PASSWORD_FILE = "/tmp/squid-passwd";

    private ProxyUser user; // null: no authentication

    /** One access log line: {@code %rm %ru %>Hs %un %Ss}. */
    public record LogEntry(String method, String url, int status, String user, String squidStatus) {
        static LogEntry parse(String line) {
            String[] f = line.trim().split(" ");
            if (f.length != 5) {
                throw new IllegalArgumentException("not a keepwell squid log line: " + line);
            }
            return new LogEntry(f[0], f[1], Integer.parseInt(f[2]), f[3], f[4]);
        }
    }

    /** Requires Basic proxy authentication as {@code user}. */
    public SquidContainer withBasicAuth(ProxyUser user) {
        this.user = user;
        return this;
    }

    /** This squid as a proxy. */
    public Proxy proxy() {
        return new Proxy(Proxy.Type.HTTP, address());
    }

    /** A selector that sends every request through this squid. */
    public ProxySelector selector() {
        return ProxySelector.of(address());
    }

    /** Every access log entry so far, oldest first. */
    public List<LogEntry> accessLog() throws IOException, InterruptedException {
        return execShell("cat " + ACCESS_LOG).lines().filter(line -> !line.isBlank()).map(LogEntry::parse).toList();
    }

    /** Waits until at least {@code count} entries match and returns the matching ones. */
    public List<LogEntry> awaitAccessLog(Predicate<LogEntry> matching, int count, Duration timeout) throws Exception {
        return Poll.until(() -> accessLog().stream().filter(matching).toList(), entries -> entries.size() >= count,
                timeout, count + " matching squid log entries");
    }

    @Override
    protected String prepareCommand() {
        String prepare = writeFileCommand(HOSTS_FILE, "127.0.0.1 " + ORIGIN_HOST + " " + DENIED_HOST)
                + " && : > " + ACCESS_LOG + " && chmod 666 " + ACCESS_LOG;
        return user == null ? prepare : prepare + " && " + user.appendHashedLineCommand(PASSWORD_FILE, "");
    }

    @Override
    protected String serverCommand() {
        return "squid -N -d 1 -f " + CONFIG_FILE;
    }

    @Override
    protected String renderConfig(int port) {
        String auth = user == null ? "" : """
                auth_param basic program /usr/lib/squid/basic_ncsa_auth %s
                auth_param basic realm keepwell
                acl authenticated proxy_auth REQUIRED
                """.formatted(PASSWORD_FILE);
        return """
                http_port 127.0.0.1:%d
                visible_hostname keepwell-test
                cache_effective_user nobody
                cache deny all
                cache_mem 8 MB
                pid_filename /tmp/squid.pid
                coredump_dir /tmp
                shutdown_lifetime 0 seconds
                pinger_enable off
                logformat keepwell %%rm %%ru %%>Hs %%un %%Ss
                access_log stdio:%s keepwell
                cache_log /dev/null
                cache_store_log none
                logfile_rotate 0
                hosts_file %s
                dns_nameservers 127.0.0.1
                udp_incoming_address 127.0.0.1
                udp_outgoing_address 127.0.0.1
                %sacl loopback_clients src 127.0.0.0/8
                acl loopback_origins dst 127.0.0.0/8
                acl denied dstdomain %s
                http_access deny denied
                http_access deny !loopback_origins
                http_access allow loopback_clients%s
                http_access deny all
                """.formatted(port, ACCESS_LOG, HOSTS_FILE, auth, DENIED_HOST, user == null ? "" : " authenticated");
    }
}
