package io.keepwell.micrometer;

import io.keepwell.http.HttpTimeoutException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.keepwell.micrometer.KeepwellMeterNames.HTTP_CLIENT_REQUESTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The request timers, fed through {@link KeepwellMetrics}'s request events as the client calls them. */
class RequestMetersTest {

    private static final HttpRequest GET_A = request("GET", "http://a.example/items/1");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final KeepwellMetrics metrics = KeepwellMetrics.create(registry, Map::of, Tags.of("client", "orders"), 2);

    @Test
    void aCallWithAResponseIsTimedWithSpringsClientTags() {
        metrics.callEnd(GET_A, 200, Duration.ofMillis(30));
        metrics.callEnd(GET_A, 200, Duration.ofMillis(10));
        metrics.callEnd(request("POST", "http://a.example/items"), 404, Duration.ofMillis(5));
        metrics.callEnd(request("DELETE", "https://b.example:8443/x"), 503, Duration.ofMillis(7));

        Timer ok = requests("GET", "200", "SUCCESS", "none", "a.example");
        assertEquals(2, ok.count());
        assertEquals(40, ok.totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals("orders", ok.getId().getTag("client"), "the common tags");
        assertEquals("none", ok.getId().getTag("uri"), "no template is known");
        assertEquals(1, requests("POST", "404", "CLIENT_ERROR", "none", "a.example").count());
        assertEquals(1, requests("DELETE", "503", "SERVER_ERROR", "none", "b.example").count());
        assertEquals(Set.of("client", "method", "status", "outcome", "exception", "uri", "client.name"),
                tagKeys(ok));
    }

    @Test
    void outcomesFollowTheStatusSeries() {
        int[] codes = {101, 204, 302, 418, 500, 99};
        String[] outcomes = {"INFORMATIONAL", "SUCCESS", "REDIRECTION", "CLIENT_ERROR", "SERVER_ERROR", "UNKNOWN"};
        for (int code : codes) {
            metrics.callEnd(GET_A, code, Duration.ofMillis(1));
        }
        for (int i = 0; i < codes.length; i++) {
            String status = codes[i] == 99 ? "UNKNOWN" : Integer.toString(codes[i]);
            assertEquals(1, requests("GET", status, outcomes[i], "none", "a.example").count(), "status " + codes[i]);
        }
    }

    @Test
    void aFailedCallHasNoStatusAndNamesItsException() {
        metrics.callFailed(GET_A, HttpTimeoutException.Phase.CONNECT, new ConnectException("refused"), Duration.ofMillis(3));
        metrics.callFailed(GET_A, HttpTimeoutException.Phase.REQUEST, new RuntimeException() { }, Duration.ofMillis(4));

        Timer failed = requests("GET", "CLIENT_ERROR", "UNKNOWN", "ConnectException", "a.example");
        assertEquals(1, failed.count());
        assertEquals(3, failed.totalTime(TimeUnit.MILLISECONDS), 1e-9);
        Timer anonymous = registry.find(HTTP_CLIENT_REQUESTS).tag("status", "CLIENT_ERROR")
                .tag("exception", RequestMetersTest.class.getName() + "$1").timer();
        assertNotNull(anonymous, "a class without a simple name is named in full: " + registry.getMetersAsString());
        assertEquals(tagKeys(failed), tagKeys(anonymous));
        assertEquals(tagKeys(failed), Set.of("client", "method", "status", "outcome", "exception", "uri", "client.name"),
                "the same tag keys as a call with a response, as Prometheus needs");
    }

    @Test
    void methodsAndClientNamesAreBounded() {
        metrics.callEnd(request("PROPFIND", "http://a.example/"), 207, Duration.ofMillis(1));
        metrics.callEnd(request("GET", "http://b.example/"), 200, Duration.ofMillis(1));
        metrics.callEnd(request("GET", "http://c.example/"), 200, Duration.ofMillis(1));
        metrics.callEnd(request("GET", "http://d.example/"), 200, Duration.ofMillis(1));

        assertEquals(1, requests("OTHER", "207", "SUCCESS", "none", "a.example").count());
        assertEquals(1, requests("GET", "200", "SUCCESS", "none", "b.example").count());
        assertEquals(2, requests("GET", "200", "SUCCESS", "none", "other").count(), "past the cap of 2 client names");
        assertEquals(Set.of("a.example", "b.example", "other"), registry.find(HTTP_CLIENT_REQUESTS).timers().stream()
                .map(t -> t.getId().getTag("client.name")).collect(Collectors.toSet()));
    }

    @Test
    void aRepeatedEventFindsTheSameTimer() {
        metrics.callEnd(GET_A, 200, Duration.ofMillis(1));
        List<Meter> before = registry.getMeters();
        for (int i = 0; i < 100; i++) {
            metrics.callEnd(GET_A, 200, Duration.ofMillis(1));
        }
        assertEquals(before.size(), registry.getMeters().size());
        assertSame(requests("GET", "200", "SUCCESS", "none", "a.example"),
                registry.find(HTTP_CLIENT_REQUESTS).tag("status", "200").timer());
        assertEquals(101, requests("GET", "200", "SUCCESS", "none", "a.example").count());
    }

    @Test
    void acquireConnectTlsAndFirstByteAreTimedWithTheirTags() {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 80);
        metrics.acquired(GET_A, true, true, Duration.ofSeconds(2), Duration.ofMillis(1));
        metrics.acquired(GET_A, false, false, Duration.ZERO, Duration.ofMillis(20));
        metrics.acquired(GET_A, false, false, Duration.ZERO, Duration.ofMillis(30));
        metrics.connectEnd(GET_A, address, Duration.ofMillis(15));
        metrics.connectFailed(GET_A, address, Duration.ofMillis(9), new ConnectException("refused"));
        metrics.tlsEnd(GET_A, "TLSv1.3", "TLS_AES_128_GCM_SHA256", Duration.ofMillis(12));
        metrics.tlsEnd(GET_A, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Duration.ofMillis(14));
        metrics.responseHeaders(GET_A, 200, Duration.ofMillis(40));

        assertTimer(KeepwellMeterNames.POOL_ACQUIRE, Tags.of("reused", "true"), 1, 1);
        assertTimer(KeepwellMeterNames.POOL_ACQUIRE, Tags.of("reused", "false"), 2, 50);
        assertTimer(KeepwellMeterNames.CONNECT, Tags.of("outcome", "SUCCESS"), 1, 15);
        assertTimer(KeepwellMeterNames.CONNECT, Tags.of("outcome", "FAILURE"), 1, 9);
        assertTimer(KeepwellMeterNames.TLS_HANDSHAKE, Tags.of("protocol", "TLSv1.3"), 1, 12);
        assertTimer(KeepwellMeterNames.TLS_HANDSHAKE, Tags.of("protocol", "TLSv1.2"), 1, 14);
        assertTimer(KeepwellMeterNames.TIME_TO_FIRST_BYTE, Tags.empty(), 1, 40);
    }

    private void assertTimer(String name, Iterable<Tag> tags, long count, double totalMillis) {
        Timer timer = registry.find(name).tags(tags).tag("client", "orders").timer();
        assertNotNull(timer, name + " " + tags + " in " + registry.getMetersAsString());
        assertEquals(count, timer.count(), name + " " + tags);
        assertEquals(totalMillis, timer.totalTime(TimeUnit.MILLISECONDS), 1e-9, name + " " + tags);
    }

    private Timer requests(String method, String status, String outcome, String exception, String clientName) {
        Timer timer = registry.find(HTTP_CLIENT_REQUESTS).tags("method", method, "status", status, "outcome", outcome,
                "exception", exception, "client.name", clientName).timer();
        assertNotNull(timer, method + " " + status + " " + clientName + " in " + registry.getMetersAsString());
        return timer;
    }

    private static Set<String> tagKeys(Meter meter) {
        return meter.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toSet());
    }

    private static HttpRequest request(String method, String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).method(method, HttpRequest.BodyPublishers.noBody()).build();
    }
}
