package io.keepwell.it.support;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For tests whose client must resolve no name (through a proxy, over a Unix socket): gives the
 * client a {@link SilentNameServer} as its only name server ({@link #nameServer()}), fails each
 * test after which it received a query, and requires {@link SystemDnsGuard} before the class.
 * Register it as a static field.
 */
public final class NoClientDns implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private final String why;
    private final SilentNameServer server = SilentNameServer.start();

    /** @param why why the client should resolve nothing, for the failure message */
    public NoClientDns(String why) {
        this.why = why;
    }

    /** The address to pass to the client's {@code resolver(..)}. */
    public InetSocketAddress nameServer() {
        return server.address();
    }

    /** The server itself. */
    public SilentNameServer server() {
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        SystemDnsGuard.requireHostsFileOnly();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        int queries = server.queriesReceived();
        if (queries != 0) {
            throw new AssertionError(why + " the client resolves no name, but its name server received " + queries + " queries");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        server.close();
    }
}
