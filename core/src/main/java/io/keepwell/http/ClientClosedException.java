package io.keepwell.http;

import java.io.IOException;

/** The client was closed while this request was waiting or in flight. */
public class ClientClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ClientClosedException(String message) {
        super(message);
    }
}
