package io.keepwell.netty.pool;

import io.keepwell.pool.PoolKey;

import java.net.ConnectException;

/**
 * A connection to {@code key} could not be opened (refused, unreachable, no socket to be had);
 * the transport's failure is the cause. The client reports it to the caller as a plain
 * {@link ConnectException} that names the request ({@link #forRequest}).
 */
public final class ConnectFailure extends ConnectException {

    public ConnectFailure(PoolKey key, Throwable cause) {
        super("cannot connect to " + key + ": " + cause.getMessage());
        initCause(cause);
    }

    /** The failure as the caller of {@code request} sees it: a {@link ConnectException} naming it, the transport's failure as its cause. */
    public ConnectException forRequest(String request) {
        ConnectException e = new ConnectException(request + ": " + getMessage());
        e.initCause(getCause());
        return e;
    }
}
