package io.keepwell.netty.handler;

import io.keepwell.http.HttpHeaders;
import io.keepwell.http.HttpResponse;

/**
 * Status, headers and version, shown to the body handler before the body. A response that has no
 * body (to HEAD; 1xx, 204, 304) has a content length of 0, whatever its {@code Content-Length}
 * header says (that header is the length a GET would have had; it stays in the headers).
 */
record ResponseHead(int statusCode, HttpHeaders headers, String version, long aggregationLimit, boolean bodyless)
        implements HttpResponse.ResponseInfo {

    static ResponseHead of(io.netty.handler.codec.http.HttpResponse response, long aggregationLimit, boolean bodyless) {
        io.netty.handler.codec.http.HttpHeaders source = response.headers();
        String[] pairs = new String[source.size() * 2];
        int count = 0;
        for (var it = source.iteratorCharSequence(); it.hasNext(); count++) {
            var entry = it.next();
            pairs[2 * count] = entry.getKey().toString();
            pairs[2 * count + 1] = entry.getValue().toString();
        }
        // The decoder validated every name and value (HttpDecoderConfig validates by default).
        return new ResponseHead(response.status().code(), HttpHeaders.ofDecodedPairs(pairs, count),
                response.protocolVersion().text(), aggregationLimit, bodyless);
    }

    @Override
    public long contentLength() {
        return bodyless ? 0 : HttpResponse.ResponseInfo.super.contentLength();
    }
}
