package io.keepwell.netty;

import io.keepwell.netty.handler.HttpSyntax;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a request before any I/O. The JDK's {@code HttpRequest.Builder} validates what it
 * builds, but {@code HttpRequest} is an abstract class anyone may extend: a request from elsewhere
 * could carry a header that splits or smuggles the request, or one the client sets itself.
 */
final class RequestCheck {

    /**
     * Header names the client sets itself (the JDK builder's restricted names, and the framing
     * ones), in any letter case: looked up without lower-casing, since this runs for every request.
     */
    private static final Set<String> RESTRICTED_HEADERS = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    static {
        RESTRICTED_HEADERS.addAll(List.of("host", "content-length", "transfer-encoding", "expect", "upgrade", "te", "trailer",
                "keep-alive", "proxy-connection"));
    }

    private RequestCheck() {
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code request} */
    static void check(HttpRequest request) {
        URI uri = request.uri();
        String scheme = uri.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
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
            if (RESTRICTED_HEADERS.contains(name)) {
                throw new IllegalArgumentException("restricted header name: " + name + " (the client sets it)");
            }
            for (String value : header.getValue()) {
                HttpSyntax.requireFieldValue(value, name);
                if (name.equalsIgnoreCase("connection") && !value.trim().equalsIgnoreCase("close")) {
                    throw new IllegalArgumentException("only 'Connection: close' may be set, not: " + value);
                }
            }
        }
    }
}
