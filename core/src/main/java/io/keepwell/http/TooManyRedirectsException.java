package io.keepwell.http;

import java.io.IOException;
import java.net.URI;

/** A chain of redirects was longer than the client follows. */
public class TooManyRedirectsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int limit;
    private final URI lastLocation;

    public TooManyRedirectsException(int limit, URI lastLocation) {
        super("more than " + limit + " redirects; the last one to " + lastLocation);
        this.limit = limit;
        this.lastLocation = lastLocation;
    }

    public int limit() {
        return limit;
    }

    public URI lastLocation() {
        return lastLocation;
    }
}
