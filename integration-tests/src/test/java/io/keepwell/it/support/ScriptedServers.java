package io.keepwell.it.support;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the scripted servers a test uses and closes them after it. Register it before
 * {@link ClientLeakCheck}, so the clients are checked while their servers still run.
 */
public final class ScriptedServers implements AfterEachCallback {

    private final List<ScriptedServer> started = new ArrayList<>();

    public ScriptedServer start(ScriptedServer.Script script) throws IOException {
        return track(ScriptedServer.start(script));
    }

    /** A plain server bound to {@code bindAddress} (loopback only); see {@link ScriptedServer#startOn}. */
    public ScriptedServer startOn(java.net.InetSocketAddress bindAddress, ScriptedServer.Script script) throws IOException {
        return track(ScriptedServer.startOn(bindAddress, script));
    }

    public ScriptedServer startTls(SSLContext tls, ScriptedServer.Script script) throws IOException {
        return track(ScriptedServer.startTls(tls, script));
    }

    private ScriptedServer track(ScriptedServer server) {
        started.add(server);
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        IOException first = null;
        for (ScriptedServer server : started) {
            try {
                server.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (first != null) {
            throw first;
        }
    }
}
