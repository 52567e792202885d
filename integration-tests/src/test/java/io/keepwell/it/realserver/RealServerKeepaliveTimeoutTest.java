package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.it.support.AccessLogEntry;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.HaproxyContainer;
import io.keepwell.it.support.LoopbackServerContainer;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.netty.KeepwellHttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * A server whose idle timeout (1 s) is far below the client's (30 s by default): requests spaced
 * just around the server's timeout race its close of the idle connection. GETs must all succeed
 * (a GET that meets a closed reused connection is retried); a POST may fail, typed, but must never
 * reach the server twice. The same against haproxy's {@code timeout http-keep-alive}.
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerKeepaliveTimeoutTest {

    private static final Duration SERVER_IDLE = Duration.ofSeconds(1);
    /** Gaps between requests, around the server's idle timeout. */
    private static final long[] GAPS_MILLIS = {900, 970, 990, 1000, 1010, 1030, 1100};
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Container
    static final NginxContainer nginx = new NginxContainer().withKeepaliveTimeout(SERVER_IDLE);

    @Container
    static final NginxContainer backend = new NginxContainer();

    @Container
    static final HaproxyContainer haproxy = new HaproxyContainer(backend).withHttpKeepAliveTimeout(SERVER_IDLE);

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void getsAroundNginxKeepaliveTimeoutAllSucceed() throws Exception {
        getsAroundTheBoundary(nginx, "nginx-get");
    }

    @Test
    void postsAroundNginxKeepaliveTimeoutAreNeverDuplicated() throws Exception {
        postsAroundTheBoundary(nginx, nginx, "nginx-post");
    }

    @Test
    void getsAroundHaproxyHttpKeepAliveTimeoutAllSucceed() throws Exception {
        getsAroundTheBoundary(haproxy, "haproxy-get");
    }

    @Test
    void postsAroundHaproxyHttpKeepAliveTimeoutAreNeverDuplicated() throws Exception {
        postsAroundTheBoundary(haproxy, backend, "haproxy-post");
    }

    private void getsAroundTheBoundary(LoopbackServerContainer<?> server, String marker) throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        List<String> errors = new ArrayList<>();
        int i = 0;
        for (long gap : gaps()) {
            if (gap > 0) {
                Thread.sleep(gap); // deliberate: the spacing around the server's idle timeout is the test
            }
            try {
                HttpResponse<String> r = client.sendAsync(
                        HttpRequest.newBuilder(server.uri(NginxContainer.HELLO + "?" + marker + "=" + i)).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
                if (r.statusCode() != 200 || !NginxContainer.HELLO_BODY.equals(r.body())) {
                    errors.add(i + " after " + gap + " ms: " + r.statusCode() + " " + r.body());
                }
            } catch (ExecutionException e) {
                errors.add(i + " after " + gap + " ms: " + e.getCause());
            }
            i++;
        }
        assertEquals(List.of(), errors, "GET failures; " + client.poolStats());
        // The 1.1 s gap is past the server's timeout: the server did close idle connections under the client.
        assertTrue(client.poolStats().opened() >= 2, "the server closed idle connections: " + client.poolStats());
        System.out.println(marker + ": " + client.poolStats());
    }

    private void postsAroundTheBoundary(LoopbackServerContainer<?> server, NginxContainer logs, String marker)
            throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        List<Integer> completed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        int i = 0;
        for (long gap : gaps()) {
            if (gap > 0) {
                Thread.sleep(gap); // deliberate: the spacing around the server's idle timeout is the test
            }
            String body = "post-" + i;
            try {
                HttpResponse<String> r = client.sendAsync(
                        HttpRequest.newBuilder(server.uri(NginxContainer.ECHO + "?" + marker + "=" + i))
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), "POST " + i);
                assertEquals(body, r.body(), "POST " + i);
                completed.add(i);
            } catch (ExecutionException e) {
                assertInstanceOf(PrematureCloseException.class, e.getCause(), "POST " + i + " fails only typed");
                failed.add(i + " after " + gap + " ms: " + e.getCause());
            }
            i++;
        }
        String prefix = NginxContainer.ECHO + "?" + marker + "=";
        logs.awaitAccessLog(e -> e.uri().startsWith(prefix) && e.method().equals("POST"), completed.size(), WAIT);
        Map<String, Long> perRequest = logs.accessLog().stream()
                .filter(e -> e.uri().startsWith(prefix))
                .collect(Collectors.groupingBy(AccessLogEntry::uri, Collectors.counting()));
        for (int c : completed) {
            assertEquals(1L, perRequest.getOrDefault(prefix + c, 0L), "completed POST " + c + " logged exactly once");
        }
        assertTrue(perRequest.values().stream().allMatch(n -> n == 1), "no POST reached the server twice: " + perRequest);
        assertTrue(client.poolStats().opened() >= 2, "the server closed idle connections: " + client.poolStats());
        System.out.println(marker + ": completed " + completed.size() + ", failed " + failed + ", " + client.poolStats());
    }

    /** The first request has no gap; every later one follows the previous response by one of {@link #GAPS_MILLIS}. */
    private static List<Long> gaps() {
        List<Long> gaps = new ArrayList<>();
        gaps.add(0L);
        for (long g : GAPS_MILLIS) {
            gaps.add(g);
        }
        return gaps;
    }
}
