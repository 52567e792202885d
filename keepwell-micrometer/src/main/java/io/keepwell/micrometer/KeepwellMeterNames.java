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

    /** Tag key: the request's method; {@code GET} to {@code CONNECT} as they are, any other {@code OTHER}. */
    public static final String METHOD = "method";
    /**
     * Tag key: the response's status code, as three digits; {@code UNKNOWN} for a code outside
     * 100 to 999, {@code CLIENT_ERROR} when no response arrived (as Spring has it).
     */
    public static final String STATUS = "status";
    /**
     * Tag key: on {@link #HTTP_CLIENT_REQUESTS}, the status code's series ({@code INFORMATIONAL},
     * {@code SUCCESS}, {@code REDIRECTION}, {@code CLIENT_ERROR}, {@code SERVER_ERROR}) or
     * {@code UNKNOWN}; on {@link #CONNECT}, {@code SUCCESS} or {@code FAILURE}.
     */
    public static final String OUTCOME = "outcome";
    /** Tag key: the simple class name of the exception a call failed with; {@code none} when it got a response. */
    public static final String EXCEPTION = "exception";
    /** Tag key: the URI template, as in Spring; always {@code none}, since a client sees only expanded URIs. */
    public static final String URI = "uri";
    /**
     * Tag key: the request URI's host name ({@code none} without one); past the cap on hosts,
     * {@link #OTHER_HOST}.
     */
    public static final String CLIENT_NAME = "client.name";
    /** Tag key: the pool's host, {@code scheme://host:port}; past the cap on hosts, {@link #OTHER_HOST}. */
    public static final String HOST = "host";
    /** Tag key: {@code open}, {@code idle}, {@code active}, {@code connecting}, or {@code pending} for waiting requests. */
    public static final String STATE = "state";
    /**
     * Tag key: the {@link io.keepwell.pool.RefuseReason} (on {@link #POOL_CONNECTIONS_REFUSED}) or
     * {@link io.keepwell.pool.CloseReason} (on {@link #POOL_CONNECTIONS_CLOSED}), by its constant's name.
     */
    public static final String REASON = "reason";
    /** Tag key: {@code true} when the connection acquired had served before, else {@code false}. */
    public static final String REUSED = "reused";
    /** Tag key: the negotiated TLS protocol, such as {@code TLSv1.3}; {@code none} when not known. */
    public static final String PROTOCOL = "protocol";

    /** The tag value shared by every host (or client name) past the cap. */
    public static final String OTHER_HOST = "other";

    private KeepwellMeterNames() {
    }
}
