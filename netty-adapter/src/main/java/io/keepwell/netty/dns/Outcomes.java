package io.keepwell.netty.dns;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Hands a lookup's outcome to the caller's promise, every failure as an {@link UnknownHostException} naming the host. */
final class Outcomes {

    private Outcomes() {
    }

    /** Completes {@code to} as {@code from} completes, and cancels {@code from} if {@code to} is cancelled first. */
    static void relay(Future<List<InetAddress>> from, Promise<List<InetAddress>> to, String host) {
        to.addListener(done -> {
            if (done.isCancelled()) {
                from.cancel(false);
            }
        });
        from.addListener(done -> {
            if (done.isSuccess()) {
                to.trySuccess(from.getNow());
            } else if (!done.isCancelled()) {
                to.tryFailure(unknownHost(host, done.cause()));
            }
        });
    }

    /** Netty's failures already are (and name the host); anything else is wrapped. */
    static UnknownHostException unknownHost(String host, Throwable cause) {
        if (cause instanceof UnknownHostException unknown && unknown.getMessage() != null && unknown.getMessage().contains(host)) {
            return unknown;
        }
        UnknownHostException wrapped = new UnknownHostException(host + ": " + cause.getMessage());
        wrapped.initCause(cause);
        return wrapped;
    }
}
