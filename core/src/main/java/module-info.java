/**
 * Keepwell's transport-neutral core, JDK only: the connection pool and its verdicts
 * ({@code io.keepwell.pool}), and what Keepwell adds to {@code java.net.http}: its exceptions,
 * bounded body handlers and per-request events ({@code io.keepwell.http}). The keep-alive and
 * retry rules are shared with Keepwell's transports only.
 */
module io.keepwell.core {
    requires transitive java.net.http;

    exports io.keepwell.http;
    exports io.keepwell.pool;
    exports io.keepwell.keepalive to io.keepwell.netty;
}
