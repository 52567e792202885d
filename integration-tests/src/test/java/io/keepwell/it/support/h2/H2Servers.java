package io.keepwell.it.support.h2;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts the HTTP/2 servers a test uses and closes them after it. Register it before
 * {@link io.keepwell.it.support.ClientLeakCheck}, so the clients are checked while their servers
 * still run (extensions' after-each callbacks run in reverse order).
 */
public final class H2Servers implements AfterEachCallback {

    private final List<H2Server> started = new ArrayList<>();

    public H2Server start(H2ServerConfig config) throws InterruptedException {
        H2Server server = H2Server.start(config);
        started.add(server);
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        try {
            for (H2Server server : started) {
                server.close();
            }
        } finally {
            started.clear();
        }
    }
}
