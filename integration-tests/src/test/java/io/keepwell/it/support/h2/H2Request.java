package io.keepwell.it.support.h2;

import java.util.Map;

/**
 * A request as an {@link H2Server} read it, whole: headers (names lower case, pseudo-headers
 * included, last value kept) and body. HTTP/1.1 requests on a fallback connection have stream id 0.
 */
public record H2Request(int connectionId, int streamId, String method, String path, Map<String, String> headers, byte[] body) {

    public String header(String name) {
        return headers.get(name);
    }
}
