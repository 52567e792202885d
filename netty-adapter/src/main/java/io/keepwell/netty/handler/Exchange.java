package io.keepwell.netty.handler;

import io.keepwell.http.RequestListener;
import io.keepwell.pool.PoolKey;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * One request and its response future, as it travels through a channel. The fields below the
 * constructor are written by the writer and the reader on the channel's event loop and describe
 * what actually happened, for the keep-alive and retry decisions.
 */
public final class Exchange<T> {

    private final HttpRequest request;
    private final HttpResponse.BodyHandler<T> bodyHandler;
    private final CompletableFuture<HttpResponse<T>> result;
    private final PoolKey key;
    private final ExchangeListener listener;
    private final RequestTrace trace; // null when no request listener is set

    long bytesWritten;         // event loop only: request bytes that reached the socket, counted by WriteMeter
    boolean requestWritten;    // event loop only: every request byte reached the socket
    boolean reused;            // event loop only: the connection served an earlier exchange
    private int retries;       // sends after the first; changed only between attempts
    private volatile Runnable onResponseEnd; // set before the first dispatch; run once, on the event loop
    private Throwable callSite;  // where sendAsync was called, when the client tracks it
    private volatile io.netty.util.concurrent.Promise<io.netty.channel.Channel> lease; // the current attempt's channel lease
    private volatile io.netty.channel.Channel stream; // the current attempt's HTTP/2 stream, once opened

    public Exchange(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler,
                    CompletableFuture<HttpResponse<T>> result, PoolKey key, ExchangeListener listener) {
        this(request, bodyHandler, result, key, listener, RequestListener.NONE);
    }

    /** With {@code events} told this call's steps ({@code callStart} now); {@link RequestListener#NONE} for none. */
    public Exchange(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler,
                    CompletableFuture<HttpResponse<T>> result, PoolKey key, ExchangeListener listener,
                    RequestListener events) {
        this.request = request;
        this.bodyHandler = bodyHandler;
        this.result = result;
        this.key = key;
        this.listener = listener;
        this.trace = RequestTrace.start(events, request);
    }

    /** The call's events, or {@code null} when nobody listens. */
    public RequestTrace trace() {
        return trace;
    }

    public HttpRequest request() {
        return request;
    }

    public HttpResponse.BodyHandler<T> bodyHandler() {
        return bodyHandler;
    }

    public CompletableFuture<HttpResponse<T>> result() {
        return result;
    }

    public PoolKey key() {
        return key;
    }

    /** A new attempt begins on a channel: the facts of the previous one are forgotten. */
    void startAttempt(boolean reusedConnection) {
        bytesWritten = 0;
        requestWritten = false;
        reused = reusedConnection;
    }

    /** Where the request was sent from, or {@code null} when not tracked. */
    Throwable callSite() {
        return callSite;
    }

    /** Records where the request was sent from, for the abandoned-body warning. */
    public void recordCallSite() {
        callSite = new Throwable("request sent from here");
    }

    /** The current attempt's lease of a channel. */
    public io.netty.util.concurrent.Promise<io.netty.channel.Channel> lease() {
        return lease;
    }

    public void lease(io.netty.util.concurrent.Promise<io.netty.channel.Channel> lease) {
        this.lease = lease;
    }

    /** The current attempt's HTTP/2 stream channel, or {@code null} (HTTP/1.1, or not opened yet). */
    public io.netty.channel.Channel stream() {
        return stream;
    }

    public void stream(io.netty.channel.Channel stream) {
        this.stream = stream;
    }

    /** The attempt failed before it reached its reader (its stream could not be opened); a retry may follow. */
    public void failAttempt(Throwable cause) {
        fail(cause);
    }

    private int unprocessedRetries; // changed only between attempts

    /** Retries made because the server left an attempt unprocessed. */
    public int unprocessedRetries() {
        return unprocessedRetries;
    }

    /** Counts a retry of an unprocessed attempt (also counted in {@link #retries()}). */
    public void countUnprocessedRetry() {
        unprocessedRetries++;
        retries++;
    }

    /** Retries made so far. */
    public int retries() {
        return retries;
    }

    /** Counts a retry before the exchange is dispatched again. */
    public void countRetry() {
        retries++;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public boolean requestWritten() {
        return requestWritten;
    }

    public boolean reused() {
        return reused;
    }

    /**
     * Runs {@code action} when the response is over on its channel: its body read to the end or
     * given up, or failed after the headers. Set before the exchange is dispatched.
     */
    public void onResponseEnd(Runnable action) {
        this.onResponseEnd = action;
    }

    /** The response is over on its channel (the future may have completed long before, for a streamed body). */
    void responseEnded() {
        responseEnded(null);
    }

    /** As {@link #responseEnded()}, {@code failure} non-null when the body failed. */
    void responseEnded(Throwable failure) {
        Runnable action = onResponseEnd;
        if (action != null) {
            onResponseEnd = null;
            action.run();
        }
        if (trace != null) {
            trace.responseOver(failure);
        }
    }

    /** The response is ready: completes the future (unless the caller already cancelled it). */
    void succeed(HttpResponse<T> response) {
        result.complete(response);
    }

    /** The exchange failed before a response was produced; the listener may retry it. */
    void fail(Throwable cause) {
        listener.exchangeFailed(this, cause);
    }

    @Override
    public String toString() {
        return request.method() + " " + request.uri();
    }

    /** Told when an exchange fails on its channel, so a retry can be considered. */
    @FunctionalInterface
    public interface ExchangeListener {
        void exchangeFailed(Exchange<?> exchange, Throwable cause);
    }
}
