package io.keepwell.it.spring;

import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.Witnesses;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * Per test: the loopback server, the engine, and Spring's two clients on that engine (WebClient over
 * either {@link WebClientConnector}); closed after the test.
 */
final class SpringFixture implements BeforeEachCallback, AfterEachCallback {

    static final Duration DEADLINE = Duration.ofSeconds(10);

    private ScriptedServer server;
    private EngineUnderTest engine;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        server = ScriptedServer.start(new SpringRoutes());
        engine = EngineUnderTest.start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            engine.close();
        } finally {
            server.close();
        }
    }

    ScriptedServer server() {
        return server;
    }

    EngineUnderTest engine() {
        return engine;
    }

    WebClient webClient(WebClientConnector connector) {
        return webClient(connector, engine.client());
    }

    /** WebClient over {@code connector} on {@code client} (one the test built and closes itself). */
    WebClient webClient(WebClientConnector connector, HttpClient client) {
        return WebClient.builder().clientConnector(connector.on(client)).baseUrl(baseUrl()).build();
    }

    RestClient restClient() {
        return RestClient.builder().requestFactory(new JdkClientHttpRequestFactory(engine.client()))
                .baseUrl(baseUrl()).build();
    }

    RestClient restClient(Duration readTimeout) {
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(engine.client());
        factory.setReadTimeout(readTimeout);
        return RestClient.builder().requestFactory(factory).baseUrl(baseUrl()).build();
    }

    /** Waits until the server, an independent witness, saw every connection it accepted closed by the client. */
    void awaitServerSawConnectionsClosed() {
        if (server.acceptedConnections() == 0) {
            throw new AssertionError("the server accepted no connection, so none could be closed");
        }
        Witnesses.awaitCondition(DEADLINE, () -> server.openConnections() == 0,
                () -> server.openConnections() + " of " + server.acceptedConnections() + " connection(s) still open");
    }

    private String baseUrl() {
        return server.uri("").toString();
    }
}
