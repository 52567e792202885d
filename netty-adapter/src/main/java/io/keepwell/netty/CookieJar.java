package io.keepwell.netty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieHandler;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * The client's use of a {@link CookieHandler}, as the JDK client's: the cookies it holds for a
 * request's URI are added to the request, and every response's headers are handed to it (before
 * the body handler runs, on the I/O thread).
 */
final class CookieJar {

    private final CookieHandler handler;

    CookieJar(CookieHandler handler) {
        this.handler = handler;
    }

    CookieHandler handler() {
        return handler;
    }

    /**
     * {@code request} with the handler's cookies for its URI, or itself when there are none. They
     * go in one {@code Cookie} header, after any the caller set (RFC 6265 section 5.4: a user
     * agent sends at most one).
     */
    HttpRequest attach(HttpRequest request) {
        Map<String, List<String>> cookies;
        try {
            cookies = handler.get(request.uri(), request.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException("the cookie handler failed for " + request.uri(), e);
        }
        List<String> stored = cookies.getOrDefault("Cookie", List.of());
        if (stored.isEmpty()) {
            return request;
        }
        List<String> all = new java.util.ArrayList<>(request.headers().allValues("Cookie"));
        all.addAll(stored);
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("Cookie"))
                .header("Cookie", String.join("; ", all))
                .build();
    }

    /** {@code handler}, after the response's headers have been given to the cookie handler. */
    <T> HttpResponse.BodyHandler<T> storing(URI uri, HttpResponse.BodyHandler<T> bodyHandler) {
        return info -> {
            try {
                handler.put(uri, info.headers().map());
            } catch (IOException e) {
                throw new UncheckedIOException("the cookie handler failed for " + uri, e);
            }
            return bodyHandler.apply(info);
        };
    }
}
