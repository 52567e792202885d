package io.keepwell.netty.connect;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** A request that names the Unix domain socket it goes over; everything else is the wrapped request's. */
public final class UnixSocketRequest extends HttpRequest {

    private final HttpRequest request;
    private final Path socket;

    public UnixSocketRequest(HttpRequest request, Path socket) {
        this.request = request instanceof UnixSocketRequest wrapped ? wrapped.request : Objects.requireNonNull(request, "request");
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    public Path socket() {
        return socket;
    }

    /** The request as the caller built it. */
    public HttpRequest unwrapped() {
        return request;
    }

    @Override
    public Optional<BodyPublisher> bodyPublisher() {
        return request.bodyPublisher();
    }

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public Optional<Duration> timeout() {
        return request.timeout();
    }

    @Override
    public boolean expectContinue() {
        return request.expectContinue();
    }

    @Override
    public URI uri() {
        return request.uri();
    }

    @Override
    public Optional<HttpClient.Version> version() {
        return request.version();
    }

    @Override
    public HttpHeaders headers() {
        return request.headers();
    }

    @Override
    public String toString() {
        return request + " over " + socket;
    }
}
