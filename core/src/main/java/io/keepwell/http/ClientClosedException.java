package io.keepwell.http;

import java.io.IOException;

/** The client was closed while this request was waiting or in flight. */
public class ClientClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * The failure of a request cut short by the client's close.
     *
     * @param message what the request was doing when the client closed
     */
    public ClientClosedException(String message) {
        super(message);
    }
}
