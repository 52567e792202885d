package io.keepwell.netty.http2;

/**
 * Told once, by the pipeline, what a new connection turned out to be: HTTP/1.1 (ALPN chose it, or
 * plain http), HTTP/2 with the server's first settings, or nothing (it failed first).
 */
public interface ConnectionReadiness {

    /** The connection speaks HTTP/1.1 and is ready for a request. */
    void http1();

    /**
     * The connection speaks HTTP/2 and the server's first settings arrived.
     *
     * @param maxStreams the server's concurrency limit
     */
    void http2(int maxStreams);

    /**
     * The connection failed before it was ready.
     *
     * @param cause why
     */
    void failed(Throwable cause);
}
