package io.keepwell.it.support.proxy;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * A forwarding HTTP proxy in miniature, on a loopback {@link ScriptedServer}: it takes only
 * absolute-form requests ({@code GET http://host:port/path}; anything else gets a {@code 400}),
 * answers {@code 407} with {@code Proxy-Authenticate: Basic realm="test-proxy"} unless the request
 * carries the {@code Proxy-Authorization} it requires (if any), and otherwise answers as the
 * origin would, by its origin script, without forwarding anything anywhere. Its request log is the
 * witness of what the client sent to the proxy.
 */
public final class TestHttpProxy {

    /** The realm of its challenges. */
    public static final String REALM = "test-proxy";

    private final ScriptedServer server;
    private volatile String required;  // the Proxy-Authorization value it takes; null: none needed
    private volatile ScriptedServer.Script origin = r -> Actions.ok("origin: " + r.method() + " " + r.target());

    private TestHttpProxy(ScriptedServers servers) throws IOException {
        this.server = servers.start(this::handle);
    }

    /** A proxy that needs no credentials, closed with {@code servers}. */
    public static TestHttpProxy start(ScriptedServers servers) throws IOException {
        return new TestHttpProxy(servers);
    }

    /** From now on, requests need {@code Proxy-Authorization: Basic} of {@code user:password} (UTF-8). */
    public TestHttpProxy requireCredentials(String user, String password) {
        this.required = basic(user, password);
        return this;
    }

    /** How it answers the requests it lets through; by default 200 with "origin: METHOD target". */
    public TestHttpProxy origin(ScriptedServer.Script origin) {
        this.origin = origin;
        return this;
    }

    /** {@code Basic base64(user:password)}. */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Its address, an IPv4 loopback literal (so the client resolves nothing to reach it). */
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    public int port() {
        return server.port();
    }

    /** Every request it read, in order. */
    public List<ScriptedServer.Request> requests() {
        return server.requests();
    }

    public int acceptedConnections() {
        return server.acceptedConnections();
    }

    private ScriptedServer.Action handle(ScriptedServer.Request request) {
        if (!request.target().startsWith("http://")) {
            return Actions.respond(400, "not absolute-form: " + request.method() + " " + request.target(), "");
        }
        String needed = required;
        if (needed != null && !needed.equals(request.header("proxy-authorization"))) {
            return Actions.respond(407, "credentials, please", "Proxy-Authenticate: Basic realm=\"" + REALM + "\"\r\n");
        }
        return origin.actionFor(request);
    }
}
