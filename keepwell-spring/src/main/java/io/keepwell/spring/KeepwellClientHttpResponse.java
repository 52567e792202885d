package io.keepwell.spring;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Keepwell response as WebClient reads it. The body is the client's body subscription, not a
 * cached copy of it: its subscriber's demand and cancel reach the connection.
 */
final class KeepwellClientHttpResponse implements ClientHttpResponse {

    /** Lists (of one chunk, from Keepwell) asked for at a time: a slow subscriber holds one chunk. */
    private static final int CHUNK_LISTS_IN_FLIGHT = 1;

    private static final Pattern SAME_SITE = Pattern.compile("(?i).*;\\s*SameSite=(Strict|Lax|None)\\b.*");

    private final HttpMethod method;
    private final URI uri;
    private final HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
    private final DataBufferFactory bufferFactory;
    private final HttpHeaders headers;
    private final MultiValueMap<String, ResponseCookie> cookies;
    private final AtomicBoolean bodyTaken = new AtomicBoolean();

    KeepwellClientHttpResponse(HttpMethod method, URI uri, HttpResponse<Flow.Publisher<List<ByteBuffer>>> response,
                               DataBufferFactory bufferFactory) {
        this.method = method;
        this.uri = uri;
        this.response = response;
        this.bufferFactory = bufferFactory;
        this.headers = adaptHeaders(response);
        this.cookies = parseCookies(response.headers().allValues(HttpHeaders.SET_COOKIE));
    }

    @Override
    public HttpStatusCode getStatusCode() {
        return HttpStatusCode.valueOf(response.statusCode());
    }

    @Override
    public HttpHeaders getHeaders() {
        return headers;
    }

    @Override
    public MultiValueMap<String, ResponseCookie> getCookies() {
        return cookies;
    }

    /** The first subscriber gets the body; any later one an {@link IllegalStateException}. */
    @Override
    public Flux<DataBuffer> getBody() {
        return Flux.defer(() -> bodyTaken.compareAndSet(false, true) ? stream()
                : Flux.error(new IllegalStateException("the response body of " + method + " " + uri
                        + " was already subscribed to; it can be consumed only once")));
    }

    @Override
    public String toString() {
        return "KeepwellClientHttpResponse[" + method + " " + uri + " -> " + response.statusCode() + "]";
    }

    private Flux<DataBuffer> stream() {
        return JdkFlowAdapter.flowPublisherToFlux(response.body())
                .flatMapIterable(Function.identity(), CHUNK_LISTS_IN_FLIGHT)
                .map(bufferFactory::wrap)
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    }

    /** Ends the exchange of a response nobody will read: subscribes to its body and cancels at once. */
    static void cancelBody(HttpResponse<?> response) {
        if (response.body() instanceof Flow.Publisher<?> body) {
            body.subscribe(new Flow.Subscriber<Object>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.cancel();
                }

                @Override
                public void onNext(Object item) {
                }

                @Override
                public void onError(Throwable throwable) {
                }

                @Override
                public void onComplete() {
                }
            });
        }
    }

    private static HttpHeaders adaptHeaders(HttpResponse<?> response) {
        HttpHeaders headers = new HttpHeaders(); // case-insensitive names, values in arrival order
        response.headers().map().forEach(headers::addAll);
        return HttpHeaders.readOnlyHttpHeaders(headers);
    }

    /**
     * As Spring's JDK connector does: {@link java.net.HttpCookie#parse} for each Set-Cookie header,
     * plus its SameSite attribute, which HttpCookie ignores. A header HttpCookie cannot parse is
     * skipped rather than failing the response.
     */
    private static MultiValueMap<String, ResponseCookie> parseCookies(List<String> setCookies) {
        MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();
        for (String header : setCookies) {
            List<java.net.HttpCookie> parsed;
            try {
                parsed = java.net.HttpCookie.parse(header);
            } catch (IllegalArgumentException malformed) {
                continue;
            }
            Matcher sameSite = SAME_SITE.matcher(header);
            String sameSiteValue = sameSite.matches() ? sameSite.group(1) : null;
            for (java.net.HttpCookie cookie : parsed) {
                cookies.add(cookie.getName(), ResponseCookie.from(cookie).sameSite(sameSiteValue).build());
            }
        }
        return cookies;
    }
}
