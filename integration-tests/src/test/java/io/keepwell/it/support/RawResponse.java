package io.keepwell.it.support;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A response read by {@link RawHttpConnection}, with how its body was delimited.
 *
 * @param version the status line's version, for example {@code HTTP/1.1}
 * @param status the status code
 * @param headers header values by name; the map ignores the case of names
 * @param body the body after removing any chunked framing
 * @param framing how the end of the body was found
 * @param chunkSizes the size of each chunk when {@code framing} is {@link Framing#CHUNKED}, otherwise empty
 */
public record RawResponse(
        String version,
        int status,
        Map<String, List<String>> headers,
        byte[] body,
        Framing framing,
        List<Integer> chunkSizes) {

    /** How the end of a response body was found. */
    public enum Framing {
        /** No body allowed: a response to HEAD, or a 1xx, 204 or 304 status. */
        NONE,
        CONTENT_LENGTH,
        CHUNKED,
        /** No length and no chunking: the body ended when the server closed the connection. */
        UNTIL_CLOSE
    }

    /** The first value of header {@code name}, or null if absent. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return version + " " + status + " " + headers + " (" + body.length + " body bytes, " + framing + ")";
    }
}
