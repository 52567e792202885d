package io.keepwell.netty.handler;

import io.keepwell.http.BodylessResponse;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Status, headers and version, shown to the body handler before the body. The JDK's
 * {@link HttpHeaders} is built only when someone asks for it: it copies every header into a
 * sorted map, which a handler that never reads headers should not pay for. A response that has no
 * body (to HEAD; 1xx, 204, 304) says so ({@link BodylessResponse}), whatever its
 * {@code Content-Length} header says (that header is the length a GET would have had).
 */
final class ResponseHead implements HttpResponse.ResponseInfo, BodylessResponse {

    private final int statusCode;
    private final io.netty.handler.codec.http.HttpHeaders decoded;
    private final boolean bodyless;
    private final HttpClient.Version version;
    private volatile HttpHeaders headers; // built on first use; a race builds equal copies

    private ResponseHead(int statusCode, io.netty.handler.codec.http.HttpHeaders decoded, boolean bodyless,
                         HttpClient.Version version) {
        this.statusCode = statusCode;
        this.decoded = decoded;
        this.bodyless = bodyless;
        this.version = version;
    }

    static ResponseHead of(io.netty.handler.codec.http.HttpResponse response, boolean bodyless) {
        return of(response, bodyless, HttpClient.Version.HTTP_1_1);
    }

    static ResponseHead of(io.netty.handler.codec.http.HttpResponse response, boolean bodyless, HttpClient.Version version) {
        return new ResponseHead(response.status().code(), response.headers(), bodyless, version);
    }

    @Override
    public int statusCode() {
        return statusCode;
    }

    @Override
    public HttpHeaders headers() {
        HttpHeaders built = headers;
        if (built == null) {
            headers = built = HttpHeaders.of(copy(decoded), (name, value) -> true);
        }
        return built;
    }

    /** The decoded headers as Netty holds them, for the client's own lookups (no copy). */
    io.netty.handler.codec.http.HttpHeaders decoded() {
        return decoded;
    }

    /** HTTP/1.0 responses are reported as HTTP/1.1, as the JDK client reports them; a stream's as HTTP/2. */
    @Override
    public HttpClient.Version version() {
        return version;
    }

    @Override
    public boolean hasNoBody() {
        return bodyless;
    }

    private static Map<String, List<String>> copy(io.netty.handler.codec.http.HttpHeaders source) {
        // The decoder validated every name and value (HttpDecoderConfig validates by default).
        Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (var it = source.iteratorCharSequence(); it.hasNext(); ) {
            var entry = it.next();
            map.computeIfAbsent(entry.getKey().toString(), name -> new ArrayList<>(1)).add(entry.getValue().toString());
        }
        return map;
    }
}
