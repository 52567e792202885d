package io.keepwell.netty.handler;

import io.keepwell.http.HttpHeaders;
import io.keepwell.http.HttpResponse;

/** Status, headers and version, shown to the body handler before the body. */
record ResponseHead(int statusCode, HttpHeaders headers, String version, long aggregationLimit)
        implements HttpResponse.ResponseInfo {

    static ResponseHead of(io.netty.handler.codec.http.HttpResponse response, long aggregationLimit) {
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
                response.protocolVersion().text(), aggregationLimit);
    }
}
