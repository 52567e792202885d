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

    /** {@code request} with the handler's cookies for its URI, or itself when there are none. */
    HttpRequest attach(HttpRequest request) {
        Map<String, List<String>> cookies;
        try {
            cookies = handler.get(request.uri(), request.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException("the cookie handler failed for " + request.uri(), e);
        }
        HttpRequest.Builder withCookies = null;
        for (Map.Entry<String, List<String>> entry : cookies.entrySet()) {
            String name = entry.getKey();
            if ((name.equalsIgnoreCase("Cookie") || name.equalsIgnoreCase("Cookie2")) && !entry.getValue().isEmpty()) {
                if (withCookies == null) {
                    withCookies = HttpRequest.newBuilder(request, (n, v) -> true);
                }
                for (String value : entry.getValue()) {
                    withCookies.header(name, value);
                }
            }
        }
        return withCookies == null ? request : withCookies.build();
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
