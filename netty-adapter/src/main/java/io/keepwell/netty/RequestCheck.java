package io.keepwell.netty;

import io.keepwell.netty.handler.HttpSyntax;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a request before any I/O. The JDK's {@code HttpRequest.Builder} validates what it
 * builds, but {@code HttpRequest} is an abstract class anyone may extend: a request from elsewhere
 * could carry a header that splits or smuggles the request, or one the client sets itself.
 */
final class RequestCheck {

    /** Header names the client sets itself (the JDK builder's restricted names, and the framing ones). */
    private static final Set<String> RESTRICTED_HEADERS = Set.of(
            "host", "content-length", "transfer-encoding", "expect", "upgrade", "te", "trailer",
            "keep-alive", "proxy-connection");

    private RequestCheck() {
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code request} */
    static void check(HttpRequest request) {
        URI uri = request.uri();
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("unsupported URI scheme (http or https only): " + uri);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("URI has no host: " + uri);
        }
        HttpSyntax.requireToken(request.method(), "method");
        if (request.method().equalsIgnoreCase("CONNECT")) {
            throw new IllegalArgumentException("CONNECT is not supported");
        }
        for (Map.Entry<String, List<String>> header : request.headers().map().entrySet()) {
            String name = header.getKey();
            HttpSyntax.requireToken(name, "header name");
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESTRICTED_HEADERS.contains(lower)) {
                throw new IllegalArgumentException("restricted header name: " + name + " (the client sets it)");
            }
            for (String value : header.getValue()) {
                HttpSyntax.requireFieldValue(value, name);
                if (lower.equals("connection") && !value.trim().equalsIgnoreCase("close")) {
                    throw new IllegalArgumentException("only 'Connection: close' may be set, not: " + value);
                }
            }
        }
    }
}
