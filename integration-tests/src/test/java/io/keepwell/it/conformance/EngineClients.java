package io.keepwell.it.conformance;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Builds the clients a test uses, speaking HTTP/1.1 unless the test says otherwise (the JDK's
 * default, HTTP/2, would try an h2c upgrade on every plain request), and closes them after it.
 */
public final class EngineClients implements AfterEachCallback {

    private final List<HttpClient> clients = new ArrayList<>();

    public HttpClient newClient(Engine engine) {
        return newClient(engine, builder -> builder);
    }

    /** A client from the engine's builder set to HTTP/1.1, then to what {@code settings} sets. */
    public HttpClient newClient(Engine engine, UnaryOperator<HttpClient.Builder> settings) {
        return track(settings.apply(engine.newBuilder().version(HttpClient.Version.HTTP_1_1)).build());
    }

    /** A client from the engine's builder exactly as {@code settings} leaves it, defaults included. */
    public HttpClient newClientWithDefaults(Engine engine, UnaryOperator<HttpClient.Builder> settings) {
        return track(settings.apply(engine.newBuilder()).build());
    }

    private HttpClient track(HttpClient client) {
        clients.add(client);
        return client;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        for (HttpClient client : clients) {
            try {
                Engines.close(client);
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        clients.clear();
        if (first != null) {
            throw first;
        }
    }
}
