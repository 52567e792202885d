package io.keepwell.it.leak;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code ioSpin}: an I/O thread polls a while before it sleeps, but a client at rest uses no CPU.
 * The witness is the JVM's CPU time of the client's I/O threads, which must stop growing once the
 * traffic is over, even with the longest spin allowed.
 */
class IoSpinAtRestTest {

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private static long ioThreadsCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("keepwell-io")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    @Test
    void aClientAtRestStopsSpinning() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("x"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(2).ioSpin(Duration.ofMillis(1)));
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = client.sendAsync(HttpRequest.newBuilder(server.uri("/x")).build(),
                    HttpResponse.BodyHandlers.ofString()).get(20, TimeUnit.SECONDS);
            assertEquals("x", response.body());
        }
        long[] last = {ioThreadsCpuNanos()};
        // At rest the I/O threads' CPU time stands still (a spinning loop would add about 100 ms a 100 ms).
        Witnesses.awaitCondition(Duration.ofSeconds(10), () -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long now = ioThreadsCpuNanos();
            boolean still = now - last[0] < TimeUnit.MILLISECONDS.toNanos(5);
            last[0] = now;
            return still;
        }, () -> "the I/O threads kept using CPU at rest");
    }

    @Test
    void theSpinIsBounded() {
        assertThrows(IllegalArgumentException.class, () -> KeepwellHttpClient.newBuilder().ioSpin(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> KeepwellHttpClient.newBuilder().ioSpin(Duration.ofMillis(2)));
        assertThrows(NullPointerException.class, () -> KeepwellHttpClient.newBuilder().ioSpin(null));
    }
}
