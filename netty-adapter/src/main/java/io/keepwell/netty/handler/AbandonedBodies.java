package io.keepwell.netty.handler;

import java.time.Duration;

/**
 * Reports a response body that its caller neither consumed nor cancelled (OkHttp's "did you
 * forget to close a response body?"), after the client has already closed its connection.
 */
final class AbandonedBodies {
    private static final System.Logger LOG = System.getLogger("io.keepwell.netty.AbandonedBody");

    private AbandonedBodies() {
    }

    static void warn(Exchange<?> exchange, Duration limit) {
        Throwable site = exchange.callSite();
        String message = "The response body of " + exchange + " was left unconsumed for " + limit.toMillis()
                + " ms; its connection was closed. Subscribe to the body and consume it, or cancel it."
                + (site == null ? " Build the client with trackBodyCallSites(true) to see where the request was sent from." : "");
        if (site == null) {
            LOG.log(System.Logger.Level.WARNING, message);
        } else {
            LOG.log(System.Logger.Level.WARNING, message, site);
        }
    }
}
