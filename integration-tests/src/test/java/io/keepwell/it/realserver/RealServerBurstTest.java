package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolStats;
import io.keepwell.pool.RefuseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * A burst of 100 concurrent slow requests with {@code maxIdlePerHost=2}: the burst opens about
 * 100 connections, and when it ends the pool keeps two and closes the rest, which nginx's
 * {@code stub_status} confirms from the server's side.
 */
@RequiresDocker
@Testcontainers
class RealServerBurstTest {

    private static final int BURST = 100;
    private static final int MAX_IDLE = 2;
    private static final Duration DELAY = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Container
    static final NginxContainer nginx = new NginxContainer();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void burstLeavesOnlyMaxIdlePerHostOpenOnBothSides() throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(2)
                .pool(PoolConfig.builder().maxIdlePerHost(MAX_IDLE).build()));
        nginx.awaitActiveConnections(0, WAIT);
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            burst.add(client.sendAsync(HttpRequest.newBuilder(nginx.uri(NginxContainer.delay(DELAY) + "&burst=" + i)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : burst) {
            HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals("delayed\n", r.body());
        }
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().open() <= MAX_IDLE && client.poolStats().active() == 0,
                () -> "pool after the burst: " + client.poolStats());
        PoolStats stats = client.poolStats();
        assertTrue(stats.open() <= MAX_IDLE, "open after burst: " + stats);
        assertEquals(stats.open(), client.openChannels(), "channels vs pool: " + stats);
        nginx.awaitActiveConnections(stats.open(), WAIT);
        long refused = stats.refused(RefuseReason.TOO_MANY_IDLE_FOR_HOST);
        assertTrue(refused >= 90 && refused <= BURST - MAX_IDLE,
                "TOO_MANY_IDLE_FOR_HOST refusals: " + refused + " in " + stats);
        assertEquals(stats.opened() - stats.open(), stats.closed(), "every other connection closed: " + stats);
    }
}
