package io.keepwell.http;

import io.keepwell.http.HttpRequest.BodyPublishers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Everything a caller supplies is checked when it is set, before any byte could be written. */
class HttpRequestTest {

    private static final URI URI_OK = URI.create("http://example.com/path");

    private static HttpRequest.Builder builder() {
        return HttpRequest.newBuilder(URI_OK);
    }

    // Header names: anything outside the RFC 9110 token characters could split or smuggle a request.

    static Stream<String> badHeaderNames() {
        return Stream.of("X-A\r\nX-Injected", "X-A\r", "X-A\nB", "X-A\0", "\0", "X A", "X:A", "X-A:", "", "X-\u00e9", "X\tA", "X-A\u007f");
    }

    @ParameterizedTest
    @MethodSource("badHeaderNames")
    void headerNameWithIllegalCharactersIsRefused(String name) {
        assertThrows(IllegalArgumentException.class, () -> builder().header(name, "v"));
        assertThrows(IllegalArgumentException.class, () -> builder().setHeader(name, "v"));
        assertThrows(IllegalArgumentException.class, () -> builder().headers(name, "v"));
    }

    @Test
    void nullHeaderNameOrValueIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> builder().header(null, "v"));
        assertThrows(IllegalArgumentException.class, () -> builder().header("X-A", null));
        assertThrows(IllegalArgumentException.class, () -> builder().headers("X-A", null));
    }

    // Header values: CR, LF, NUL and other controls are refused; tab and obs-text are allowed.

    static Stream<String> badHeaderValues() {
        return Stream.of("a\r\nX-Injected: 1", "a\r\n\r\nGET /smuggled HTTP/1.1", "a\nb", "a\rb", "a\0b", "\0",
                "a\u0001b", "a\u001fb", "a\u007fb", "\u0100", "emoji \ud83d\ude00");
    }

    @ParameterizedTest
    @MethodSource("badHeaderValues")
    void headerValueWithIllegalCharactersIsRefused(String value) {
        assertThrows(IllegalArgumentException.class, () -> builder().header("X-A", value));
        assertThrows(IllegalArgumentException.class, () -> builder().setHeader("X-A", value));
        assertThrows(IllegalArgumentException.class, () -> builder().headers("X-A", value));
    }

    @Test
    void headerValueMayHoldTabsSpacesAndObsText() {
        HttpRequest r = builder().header("X-A", "a\tb c").header("X-B", "caf\u00e9").header("X-C", "").build();
        assertEquals(Optional.of("a\tb c"), r.headers().firstValue("X-A"));
        assertEquals(Optional.of("caf\u00e9"), r.headers().firstValue("X-B"));
        assertEquals(Optional.of(""), r.headers().firstValue("X-C"));
    }

    @Test
    void headersNeedsPairs() {
        assertThrows(IllegalArgumentException.class, () -> builder().headers("X-A", "1", "X-B"));
    }

    @Test
    void headersAreKeptAddedOrReplaced() {
        HttpRequest r = builder()
                .header("Accept", "text/plain")
                .header("accept", "application/json")
                .headers("X-A", "1", "X-B", "2")
                .setHeader("X-B", "3")
                .build();
        assertEquals(List.of("text/plain", "application/json"), r.headers().allValues("ACCEPT"));
        assertEquals(List.of("1"), r.headers().allValues("x-a"));
        assertEquals(List.of("3"), r.headers().allValues("X-B"));
    }

    // Methods.

    @ParameterizedTest
    @ValueSource(strings = {"GET\r\n", "GET\r\nX-Injected: 1", "G ET", "GET ", "GE\0T", "GET\n", "", "G/T", "G\u00c9T"})
    void methodThatIsNotATokenIsRefused(String method) {
        assertThrows(IllegalArgumentException.class, () -> builder().method(method, BodyPublishers.noBody()));
    }

    @Test
    void nullMethodIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> builder().method(null, BodyPublishers.noBody()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"CONNECT", "connect", "Connect"})
    void connectIsRefused(String method) {
        assertThrows(IllegalArgumentException.class, () -> builder().method(method, BodyPublishers.noBody()));
    }

    @Test
    void anyTokenMethodIsAccepted() {
        assertEquals("PATCH", builder().method("PATCH", BodyPublishers.ofString("{}")).build().method());
        assertEquals("M-SEARCH", builder().method("M-SEARCH", BodyPublishers.noBody()).build().method());
        assertEquals("GET", builder().build().method(), "the default");
        assertEquals("DELETE", builder().DELETE().build().method());
    }

    // Headers the client sets itself.

    @ParameterizedTest
    @ValueSource(strings = {"Host", "host", "HOST", "Content-Length", "content-length", "Transfer-Encoding", "Expect",
            "Upgrade", "TE", "Trailer", "Keep-Alive", "Proxy-Connection"})
    void restrictedHeaderIsRefused(String name) {
        assertThrows(IllegalArgumentException.class, () -> builder().header(name, "x"));
        assertThrows(IllegalArgumentException.class, () -> builder().setHeader(name, "x"));
        assertThrows(IllegalArgumentException.class, () -> builder().headers("X-Ok", "1", name, "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"keep-alive", "Upgrade", "close, upgrade", "closed", ""})
    void connectionHeaderOtherThanCloseIsRefused(String value) {
        assertThrows(IllegalArgumentException.class, () -> builder().header("Connection", value));
        assertThrows(IllegalArgumentException.class, () -> builder().setHeader("connection", value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"close", "Close", "CLOSE", " close "})
    void connectionCloseIsAllowed(String value) {
        HttpRequest r = builder().header("Connection", value).build();
        assertEquals(List.of(value), r.headers().allValues("connection"));
    }

    // The URI.

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/", "ws://example.com/", "file:///etc/passwd", "mailto:a@example.com",
            "httpx://example.com/"})
    void nonHttpSchemeIsRefused(String uri) {
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.newBuilder(URI.create(uri)));
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.newBuilder().uri(URI.create(uri)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http:///path", "http:/path", "https:example.com", "http://under_score.example/"})
    void uriWithoutAHostIsRefused(String uri) {
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.newBuilder(URI.create(uri)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/path", "//example.com/path", "example.com"})
    void uriWithoutASchemeIsRefused(String uri) {
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.newBuilder(URI.create(uri)));
    }

    @Test
    void uriWithAFragmentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.newBuilder(URI.create("http://example.com/#top")));
    }

    @Test
    void nullUriIsRefused() {
        assertThrows(NullPointerException.class, () -> HttpRequest.newBuilder(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.com", "HTTPS://example.com:8443/a?b=c", "http://127.0.0.1:8080/", "http://[::1]/"})
    void httpAndHttpsUrisAreAccepted(String uri) {
        assertEquals(URI.create(uri), HttpRequest.newBuilder(URI.create(uri)).build().uri());
    }

    @Test
    void buildWithoutAUriFails() {
        assertThrows(IllegalStateException.class, () -> HttpRequest.newBuilder().build());
    }

    // Other settings.

    @Test
    void timeoutMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> builder().timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder().timeout(Duration.ofMillis(-1)));
        assertEquals(Optional.empty(), builder().build().timeout());
        assertEquals(Optional.of(Duration.ofSeconds(3)), builder().timeout(Duration.ofSeconds(3)).build().timeout());
    }

    @Test
    void refusedSettingLeavesTheBuilderAsItWas() {
        HttpRequest.Builder b = builder().header("X-A", "1");
        assertThrows(IllegalArgumentException.class, () -> b.header("X-A", "2\r\n"));
        assertThrows(IllegalArgumentException.class, () -> b.method("BAD METHOD", BodyPublishers.noBody()));
        HttpRequest r = b.build();
        assertEquals(List.of("1"), r.headers().allValues("X-A"));
        assertEquals("GET", r.method());
    }
}
