package io.keepwell.it.metrics;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.micrometer.KeepwellMeterNames;
import io.keepwell.micrometer.KeepwellMetrics;
import io.keepwell.micrometer.KeepwellMicrometer;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One call binds a client to a registry; real traffic over loopback shows up in its meters. */
class MicrometerBindingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void requestsPoolEventsAndTimingsReachTheRegistry() throws Exception {
        ScriptedServer server = servers.start(r -> r.target().equals("/fail") ? Actions.respond(500, "no", "") : Actions.ok("yes"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KeepwellMetrics metrics = KeepwellMicrometer.bind(client, registry, Tag.of("client", "it"));

        for (int i = 0; i < 3; i++) {
            assertEquals(200, client.send(HttpRequest.newBuilder(server.uri("/ok")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        assertEquals(500, client.send(HttpRequest.newBuilder(server.uri("/fail")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
        CompletableFuture<HttpResponse<String>> refused = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closedPort + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThrows(ExecutionException.class, () -> refused.get(WAIT.toSeconds(), TimeUnit.SECONDS));

        // callEnd may follow the future by a moment: it waits for the body to be over on its channel.
        Witnesses.awaitCondition(WAIT, () -> requests(registry, "200", "SUCCESS") == 3 && requests(registry, "500", "SERVER_ERROR") == 1
                && requests(registry, "CLIENT_ERROR", "UNKNOWN") == 1, () -> "requests: " + registry.getMetersAsString());
        Timer ok = registry.get(KeepwellMeterNames.HTTP_CLIENT_REQUESTS).tags("status", "200", "method", "GET", "client", "it").timer();
        assertTrue(ok.totalTime(TimeUnit.NANOSECONDS) > 0);
        String host = "http://127.0.0.1:" + server.port();
        assertEquals(1.0, registry.get(KeepwellMeterNames.POOL_CONNECTIONS_OPENED).tags("host", host).counter().count(),
                () -> "one connection served all four: " + registry.getMetersAsString());
        assertEquals(3.0, registry.get(KeepwellMeterNames.POOL_CONNECTIONS_REUSED).tags("host", host).counter().count());
        assertEquals(4, registry.get(KeepwellMeterNames.TIME_TO_FIRST_BYTE).timer().count());
        assertEquals(1, registry.get(KeepwellMeterNames.CONNECT).tags("outcome", "SUCCESS").timer().count());
        assertEquals(1, registry.get(KeepwellMeterNames.CONNECT).tags("outcome", "FAILURE").timer().count());
        assertEquals(4, registry.get(KeepwellMeterNames.POOL_ACQUIRE).timers().stream().mapToLong(Timer::count).sum());

        Gauge idle = registry.get(KeepwellMeterNames.POOL_CONNECTIONS).tags("host", host, "state", "idle").gauge();
        Witnesses.awaitCondition(WAIT, () -> idle.value() == 1.0, () -> "idle gauge " + idle.value());

        client.closeIdleConnections();
        Witnesses.awaitCondition(WAIT, () -> closed(registry, CloseReason.CLOSE_IDLE) == 1.0, registry::getMetersAsString);
        metrics.close();
        assertTrue(registry.find(KeepwellMeterNames.POOL_CONNECTIONS).gauges().isEmpty(), "close() removes the pool gauges");
    }

    private static long requests(SimpleMeterRegistry registry, String status, String outcome) {
        return registry.find(KeepwellMeterNames.HTTP_CLIENT_REQUESTS).tags("status", status, "outcome", outcome)
                .timers().stream().mapToLong(Timer::count).sum();
    }

    private static double closed(SimpleMeterRegistry registry, CloseReason reason) {
        return registry.find(KeepwellMeterNames.POOL_CONNECTIONS_CLOSED).tags("reason", reason.name())
                .counters().stream().mapToDouble(Counter::count).sum();
    }
}
