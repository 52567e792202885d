package io.keepwell.netty.handler;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/** A response as the caller sees it; its headers are the head's, built when first asked for. */
final class NettyResponse<T> implements HttpResponse<T> {

    private final ResponseHead head;
    private final T body;
    private final HttpRequest request;
    private final SSLSession session; // null on plain TCP

    NettyResponse(ResponseHead head, T body, HttpRequest request, SSLSession session) {
        this.head = head;
        this.body = body;
        this.request = request;
        this.session = session;
    }

    @Override
    public int statusCode() {
        return head.statusCode();
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    /** Always empty here: the client's redirect follower wraps the response of each further hop. */
    @Override
    public Optional<HttpResponse<T>> previousResponse() {
        return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
        return head.headers();
    }

    @Override
    public T body() {
        return body;
    }

    @Override
    public Optional<SSLSession> sslSession() {
        return Optional.ofNullable(session);
    }

    @Override
    public URI uri() {
        return request.uri();
    }

    @Override
    public HttpClient.Version version() {
        return head.version();
    }

    @Override
    public String toString() {
        return "(" + request.method() + " " + request.uri() + ") " + statusCode();
    }
}
