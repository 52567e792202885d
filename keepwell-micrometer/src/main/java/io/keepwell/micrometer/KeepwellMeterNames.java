package io.keepwell.micrometer;

/** The names and tag keys of the meters {@link KeepwellMetrics} registers. */
public final class KeepwellMeterNames {

    /** Timer of whole calls, with Spring's client tags: {@link #METHOD}, {@link #STATUS}, {@link #OUTCOME}, {@link #EXCEPTION}, {@link #URI}, {@link #CLIENT_NAME}. */
    public static final String HTTP_CLIENT_REQUESTS = "http.client.requests";
    /** Gauges of the pool's current connections (and waiting requests), tags {@link #HOST} and {@link #STATE}. */
    public static final String POOL_CONNECTIONS = "keepwell.pool.connections";
    /** Counter of connections established, tag {@link #HOST}. */
    public static final String POOL_CONNECTIONS_OPENED = "keepwell.pool.connections.opened";
    /** Counter of requests given a connection that had served before, tag {@link #HOST}. */
    public static final String POOL_CONNECTIONS_REUSED = "keepwell.pool.connections.reused";
    /** Counter of connections the pool would not keep when released, tags {@link #HOST} and {@link #REASON}. */
    public static final String POOL_CONNECTIONS_REFUSED = "keepwell.pool.connections.refused";
    /** Counter of established connections closed, tags {@link #HOST} and {@link #REASON}. */
    public static final String POOL_CONNECTIONS_CLOSED = "keepwell.pool.connections.closed";
    /** Counter of requests sent again after failing on a reused connection, tag {@link #HOST}. */
    public static final String REQUESTS_RETRIED = "keepwell.requests.retried";
    /** Timer of the wait for a connection, tag {@link #REUSED}. */
    public static final String POOL_ACQUIRE = "keepwell.pool.acquire";
    /** Timer of TCP connects, tag {@link #OUTCOME} ({@code SUCCESS} or {@code FAILURE}). */
    public static final String CONNECT = "keepwell.connect";
    /** Timer of TLS handshakes, tag {@link #PROTOCOL}. */
    public static final String TLS_HANDSHAKE = "keepwell.tls.handshake";
    /** Timer from the start of writing a request to its response's headers. */
    public static final String TIME_TO_FIRST_BYTE = "keepwell.time.to.first.byte";

    public static final String METHOD = "method";
    public static final String STATUS = "status";
    public static final String OUTCOME = "outcome";
    public static final String EXCEPTION = "exception";
    public static final String URI = "uri";
    public static final String CLIENT_NAME = "client.name";
    public static final String HOST = "host";
    public static final String STATE = "state";
    public static final String REASON = "reason";
    public static final String REUSED = "reused";
    public static final String PROTOCOL = "protocol";

    /** The tag value shared by every host (or client name) past the cap. */
    public static final String OTHER_HOST = "other";

    private KeepwellMeterNames() {
    }
}
