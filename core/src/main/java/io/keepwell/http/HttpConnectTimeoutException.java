package io.keepwell.http;

import java.time.Duration;

/**
 * The connection was not established within {@code connectTimeout}: the JDK's
 * {@code HttpConnectTimeoutException}, with the phase and limit that {@link HttpTimeoutException}
 * carries. The phase is {@code DNS} if the time ran out while the host name was being resolved,
 * else {@code CONNECT}.
 */
public class HttpConnectTimeoutException extends java.net.http.HttpConnectTimeoutException implements KeepwellTimeout {
    private static final long serialVersionUID = 1L;

    /** The connect timeout that ran out. */
    private final Duration limit;

    /** {@code DNS} or {@code CONNECT}. */
    private final HttpTimeoutException.Phase phase;

    /**
     * The timeout of a connect to {@code target}.
     *
     * @param limit  the connect timeout that ran out; not {@code null}
     * @param target what was being connected to, for the message (such as
     *               {@code http://example.com:80}); may be {@code null}
     */
    public HttpConnectTimeoutException(Duration limit, String target) {
        this(HttpTimeoutException.Phase.CONNECT, limit, target);
    }

    /**
     * The timeout of a connect to {@code target} that ran out in {@code phase}.
     *
     * @param phase  {@code DNS} or {@code CONNECT}
     * @param limit  the connect timeout that ran out; not {@code null}
     * @param target what was being connected to, for the message; may be {@code null}
     * @throws IllegalArgumentException if {@code phase} is neither {@code DNS} nor {@code CONNECT}
     */
    public HttpConnectTimeoutException(HttpTimeoutException.Phase phase, Duration limit, String target) {
        super(HttpTimeoutException.message(phase, limit, target));
        if (phase != HttpTimeoutException.Phase.DNS && phase != HttpTimeoutException.Phase.CONNECT) {
            throw new IllegalArgumentException("not a connect phase: " + phase);
        }
        this.phase = phase;
        this.limit = limit;
    }

    @Override
    public HttpTimeoutException.Phase phase() {
        return phase;
    }

    @Override
    public Duration limit() {
        return limit;
    }
}
