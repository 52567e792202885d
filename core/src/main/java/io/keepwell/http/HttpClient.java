package io.keepwell.http;

import io.keepwell.pool.PoolStats;

import java.util.concurrent.CompletableFuture;

/**
 * An asynchronous HTTP/1.1 client that keeps connections alive and never leaks them.
 *
 * <p>Create one client and share it: a client per request defeats connection reuse and pays for
 * event loops it never needs. Every future returned by {@link #sendAsync} completes, with a value
 * or an exception, whatever the server does.
 */
public interface HttpClient extends AutoCloseable {

    /** How redirects are followed; the same choices as {@code java.net.http.HttpClient.Redirect}. */
    enum Redirect {
        /** Never follow redirects. */
        NEVER,
        /** Follow redirects, except from https to http. */
        NORMAL,
        /** Always follow redirects. */
        ALWAYS
    }

    /**
     * Sends the request and returns a future of the response.
     *
     * <p>The future completes when the body handler's subscriber has produced the body. It fails
     * with an {@link java.io.IOException} subclass for I/O problems, with
     * {@link IllegalStateException} once the client is closed, and with
     * {@link IllegalArgumentException} for a request this client cannot send (before any I/O).
     */
    <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler);

    /** A consistent snapshot of the connection pool's counts. */
    PoolStats poolStats();

    /**
     * Closes every idle connection now, and makes connections released by requests already in
     * flight close instead of going idle, until new work arrives.
     */
    void closeIdleConnections();

    /**
     * Closes the client: idle connections close, requests in flight fail, new requests are
     * refused. The future completes once every connection is closed and every thread the client
     * started has stopped.
     */
    CompletableFuture<Void> closeAsync();

    /**
     * Closes the client and waits for {@link #closeAsync()} to complete.
     *
     * @throws IllegalStateException when called on one of the client's own I/O threads, where
     *                               waiting would deadlock; use {@link #closeAsync()} there
     */
    @Override
    void close();
}
