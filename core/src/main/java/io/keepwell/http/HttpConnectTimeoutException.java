package io.keepwell.http;

import java.time.Duration;

/**
 * The TCP connection was not established within {@code connectTimeout}: the JDK's
 * {@code HttpConnectTimeoutException}, with the phase ({@code CONNECT}) and limit that
 * {@link HttpTimeoutException} carries.
 */
public class HttpConnectTimeoutException extends java.net.http.HttpConnectTimeoutException implements KeepwellTimeout {
    private static final long serialVersionUID = 1L;

    /** The connect timeout that ran out. */
    private final Duration limit;

    /**
     * The timeout of a connect to {@code target}.
     *
     * @param limit  the connect timeout that ran out; not {@code null}
     * @param target what was being connected to, for the message (such as
     *               {@code http://example.com:80}); may be {@code null}
     */
    public HttpConnectTimeoutException(Duration limit, String target) {
        super(HttpTimeoutException.message(HttpTimeoutException.Phase.CONNECT, limit, target));
        this.limit = limit;
    }

    @Override
    public HttpTimeoutException.Phase phase() {
        return HttpTimeoutException.Phase.CONNECT;
    }

    @Override
    public Duration limit() {
        return limit;
    }
}
