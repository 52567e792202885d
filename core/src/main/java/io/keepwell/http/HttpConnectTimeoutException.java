package io.keepwell.http;

import java.time.Duration;

/** The TCP connection was not established within {@code connectTimeout}. */
public class HttpConnectTimeoutException extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    public HttpConnectTimeoutException(Duration limit, String target) {
        super(Phase.CONNECT, limit, target);
    }
}
