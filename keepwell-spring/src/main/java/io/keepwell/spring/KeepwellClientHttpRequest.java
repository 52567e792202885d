package io.keepwell.spring;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A WebClient request built into a {@link HttpRequest}. Spring's {@link AbstractClientHttpRequest}
 * keeps the commit contract (headers frozen, before-commit actions run once); the body is
 * handed to Keepwell as a publisher it subscribes to when it writes the request.
 */
final class KeepwellClientHttpRequest extends AbstractClientHttpRequest {

    private final HttpMethod method;
    private final URI uri;
    private final DataBufferFactory bufferFactory;
    private final HttpRequest.Builder builder;
    private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();

    KeepwellClientHttpRequest(HttpMethod method, URI uri, DataBufferFactory bufferFactory) {
        this.method = method;
        this.uri = uri;
        this.bufferFactory = bufferFactory;
        this.builder = HttpRequest.newBuilder(uri);
    }

    @Override
    public HttpMethod getMethod() {
        return method;
    }

    @Override
    public URI getURI() {
        return uri;
    }

    @Override
    public DataBufferFactory bufferFactory() {
        return bufferFactory;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getNativeRequest() {
        return (T) builder.method(method.name(), body).build();
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return doCommit(() -> {
            this.body = toBodyPublisher(body);
            return Mono.empty();
        });
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return writeWith(Flux.from(body).concatMap(Function.identity()));
    }

    @Override
    public Mono<Void> setComplete() {
        return doCommit(() -> {
            this.body = HttpRequest.BodyPublishers.noBody();
            return Mono.empty();
        });
    }

    /** Content-Length, when known, goes to the publisher: the JDK's request builder refuses it as a header. */
    @Override
    protected void applyHeaders() {
        for (Map.Entry<String, List<String>> header : getHeaders().headerSet()) {
            if (header.getKey().equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
                continue;
            }
            for (String value : header.getValue()) {
                builder.header(header.getKey(), value);
            }
        }
        if (!getHeaders().containsHeader(HttpHeaders.ACCEPT)) {
            builder.header(HttpHeaders.ACCEPT, "*/*");
        }
    }

    @Override
    protected void applyCookies() {
        if (getCookies().isEmpty()) {
            return;
        }
        builder.header(HttpHeaders.COOKIE, getCookies().values().stream().flatMap(List::stream)
                .map(HttpCookie::toString).collect(Collectors.joining("; ")));
    }

    private HttpRequest.BodyPublisher toBodyPublisher(Publisher<? extends DataBuffer> buffers) {
        Publisher<ByteBuffer> bytes = buffers instanceof Mono<? extends DataBuffer> mono
                ? mono.doOnDiscard(DataBuffer.class, DataBufferUtils::release).map(KeepwellClientHttpRequest::copyAndRelease)
                : Flux.from(buffers).doOnDiscard(DataBuffer.class, DataBufferUtils::release).map(KeepwellClientHttpRequest::copyAndRelease);
        Flow.Publisher<ByteBuffer> flow = JdkFlowAdapter.publisherToFlowPublisher(bytes);
        long length = getHeaders().getContentLength();
        return length > 0 ? HttpRequest.BodyPublishers.fromPublisher(flow, length) : HttpRequest.BodyPublishers.fromPublisher(flow);
    }

    /** The buffer may be pooled (Netty's): its bytes are copied out and it is released before Keepwell writes them. */
    private static ByteBuffer copyAndRelease(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return ByteBuffer.wrap(bytes);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
