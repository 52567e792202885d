package io.keepwell.netty.handler;

import io.keepwell.http.HttpHeaders;
import io.keepwell.http.HttpResponse;

/** Status, headers and version, shown to the body handler before the body. */
record ResponseHead(int statusCode, HttpHeaders headers, String version, long aggregationLimit)
        implements HttpResponse.ResponseInfo {

    static ResponseHead of(io.netty.handler.codec.http.HttpResponse response, long aggregationLimit) {
        HttpHeaders.Builder headers = new HttpHeaders.Builder();
        for (var entry : response.headers()) {
            headers.add(entry.getKey(), entry.getValue());
        }
        return new ResponseHead(response.status().code(), headers.build(), response.protocolVersion().text(), aggregationLimit);
    }
}
