package io.keepwell.netty.handler;

import io.keepwell.http.HttpHeaders;
import io.keepwell.http.HttpRequest;
import io.keepwell.http.HttpResponse;

/** A response as the caller sees it. */
record NettyResponse<T>(int statusCode, HttpHeaders headers, String version, T body, HttpRequest request)
        implements HttpResponse<T> {
}
