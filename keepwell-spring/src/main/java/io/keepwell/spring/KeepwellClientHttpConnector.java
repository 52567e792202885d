package io.keepwell.spring;

import io.keepwell.netty.KeepwellHttpClient;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * A Spring {@link ClientHttpConnector} on a {@link KeepwellHttpClient}, for {@code WebClient}:
 * {@code WebClient.builder().clientConnector(new KeepwellClientHttpConnector(client))}.
 *
 * <p>Unlike Spring's {@code JdkClientHttpConnector} (whose response body is a
 * {@code Flux.cache(0)} that never passes a cancel on), the response body here is the client's body
 * subscription itself, with backpressure: a subscriber that cancels it (a disposed subscription,
 * {@code Mono.timeout}, {@code take(n)}) cancels the exchange, and Keepwell closes its connection
 * ({@link io.keepwell.pool.CloseReason#ABORTED}). Demand is passed on one chunk at a time, so a slow
 * subscriber holds a chunk, and Keepwell stops reading until it asks for more.
 *
 * <ul>
 *   <li>A body can be subscribed once; a second subscriber fails with {@link IllegalStateException}
 *       (WebClient's own release of a consumed body relies on that, and ignores the error).</li>
 *   <li>A response WebClient drops unread ({@code releaseBody()} drains it, {@code bodyToMono(Void.class)}
 *       cancels after the first chunk) ends its exchange the same way; a response cancelled before
 *       WebClient saw it has its body cancelled here; one never subscribed at all is closed by the
 *       client's abandoned-body timeout.</li>
 *   <li>Keepwell's {@link java.io.IOException}s (a refused connection, a timeout) fail the response
 *       as they are, so WebClient wraps them in a {@code WebClientRequestException} with Keepwell's
 *       exception as its cause.</li>
 *   <li>Request body buffers are copied into the request as they are written and released at once.</li>
 * </ul>
 */
public final class KeepwellClientHttpConnector implements ClientHttpConnector {

    private final KeepwellHttpClient client;
    private final DataBufferFactory bufferFactory;

    /**
     * A connector wrapping response chunks in {@link DefaultDataBufferFactory#sharedInstance}'s
     * heap buffers.
     *
     * @param client the client that sends every request; its lifecycle stays the caller's
     */
    public KeepwellClientHttpConnector(KeepwellHttpClient client) {
        this(client, DefaultDataBufferFactory.sharedInstance);
    }

    /**
     * A connector wrapping response chunks with {@code bufferFactory}.
     *
     * @param client        the client that sends every request; its lifecycle stays the caller's
     * @param bufferFactory wraps each response chunk (a copy Keepwell hands over) without copying it
     */
    public KeepwellClientHttpConnector(KeepwellHttpClient client, DataBufferFactory bufferFactory) {
        this.client = Objects.requireNonNull(client, "client");
        this.bufferFactory = Objects.requireNonNull(bufferFactory, "bufferFactory");
    }

    /**
     * Lets {@code requestCallback} write the request, then sends it; the response is emitted once its
     * head arrived, its body still streaming. Cancelling the returned {@code Mono} before then
     * cancels the exchange.
     *
     * @param method          the request method
     * @param uri             the request URI
     * @param requestCallback writes headers and body to the request, signalling when it is done
     * @return the response, or the client's failure
     */
    @Override
    public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
                                            Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
        KeepwellClientHttpRequest request = new KeepwellClientHttpRequest(method, uri, bufferFactory);
        return requestCallback.apply(request).then(Mono.defer(() -> {
            HttpRequest nativeRequest = request.getNativeRequest();
            CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> sent =
                    client.sendAsync(nativeRequest, HttpResponse.BodyHandlers.ofPublisher());
            // A cancel of this Mono cancels 'sent'; one racing its completion discards the response,
            // whose body nobody will read: cancel it now rather than wait for the abandoned-body timeout.
            return Mono.fromCompletionStage(sent)
                    .doOnDiscard(HttpResponse.class, KeepwellClientHttpResponse::cancelBody)
                    .map(response -> new KeepwellClientHttpResponse(method, uri, response, bufferFactory));
        }));
    }

    /**
     * Names the client this connector sends with.
     *
     * @return a description for logs
     */
    @Override
    public String toString() {
        return "KeepwellClientHttpConnector[" + client + "]";
    }
}
