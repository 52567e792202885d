package io.keepwell.it.support;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import org.testcontainers.containers.output.OutputFrame.OutputType;

/**
 * dante ({@code danted}) as a SOCKS5 server on {@code 127.0.0.1:port()}, carrying TCP connections
 * from loopback clients to loopback destinations only. Without {@link #withUsernameAuth} it asks
 * for no authentication; with it, it accepts only the SOCKS5 username method, checked against a
 * system user it creates in the container.
 *
 * <p>Give it IP literals: a destination name would be resolved in the container, and the
 * container's name service is cut down to its files ({@code hosts: files}) so that no lookup
 * reaches the system's name servers. Each carried connection is logged on stderr;
 * {@link #sessionsOpened()} counts them.
 */
public final class DanteContainer extends LoopbackServerContainer<DanteContainer> {

    private static final String SESSION_OPENED = "tcp/connect [";

    private ProxyUser user; // null: no authentication

    /** Accepts only the SOCKS5 username method with {@code user}'s credentials. */
    public DanteContainer withUsernameAuth(ProxyUser user) {
        this.user = user;
        return this;
    }

    /** This server as a SOCKS proxy. */
    public Proxy proxy() {
        return new Proxy(Proxy.Type.SOCKS, address());
    }

    /** A selector that sends every request through {@code proxy}, SOCKS included (JDK's {@code of} is HTTP only). */
    public static ProxySelector selectorOf(Proxy proxy) {
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return List.of(proxy);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, java.io.IOException failure) {
                // the tests read failures from the request, not from here
            }
        };
    }

    /** A selector that sends every request through this server. */
    public ProxySelector selector() {
        return selectorOf(proxy());
    }

    /** Connections dante has opened to destinations so far, one per SOCKS CONNECT it passed. */
    public long sessionsOpened() {
        return sessionLines().size();
    }

    /** dante's log lines for the connections it opened, oldest first. */
    public List<String> sessionLines() {
        return getLogs(OutputType.STDERR).lines().filter(line -> line.contains(SESSION_OPENED)).toList();
    }

    /** The address of {@code destination} as dante logs it ({@code 127.0.0.1.8080}). */
    public static String logged(InetSocketAddress destination) {
        return destination.getAddress().getHostAddress() + "." + destination.getPort();
    }

    @Override
    protected String prepareCommand() {
        String prepare = writeFileCommand("/etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files")
                + " && mkdir -p /var/run";
        if (user == null) {
            return prepare;
        }
        return prepare + " && echo " + shellQuoted(user.name() + ":x:1000:1000::/tmp:/bin/false") + " >> /etc/passwd"
                + " && " + user.appendHashedLineCommand("/etc/shadow", ":19000:0:99999:7:::")
                + " && chmod 600 /etc/shadow";
    }

    @Override
    protected String serverCommand() {
        return "danted -f " + CONFIG_FILE;
    }

    @Override
    protected String renderConfig(int port) {
        return """
                logoutput: stderr
                internal: 127.0.0.1 port = %d
                external: lo
                clientmethod: none
                socksmethod: %s
                user.privileged: root
                user.unprivileged: nobody
                client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
                socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 log: connect disconnect error }
                socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 log: connect error }
                """.formatted(port, user == null ? "none" : "username");
    }
}
