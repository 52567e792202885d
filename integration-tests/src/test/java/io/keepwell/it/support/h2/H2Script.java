package io.keepwell.it.support.h2;

/** Chooses how an {@link H2Server} answers each request. Runs on the server's event loop: do not block. */
@FunctionalInterface
public interface H2Script {
    H2Reply replyTo(H2Request request);
}
