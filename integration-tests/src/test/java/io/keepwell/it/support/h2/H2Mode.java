package io.keepwell.it.support.h2;

import java.util.List;

/** How an {@link H2Server} talks: which transport, and which protocols it offers by ALPN. */
public enum H2Mode {
    /** TLS; ALPN offers {@code h2} then {@code http/1.1}, and the server speaks whichever the client picks. */
    TLS_H2_OR_HTTP1(List.of("h2", "http/1.1")),
    /** TLS; ALPN offers only {@code http/1.1}: a server for testing the client's fallback. */
    TLS_HTTP1_ONLY(List.of("http/1.1")),
    /** Plain TCP speaking HTTP/2 from the first byte (h2c with prior knowledge). */
    H2C_PRIOR_KNOWLEDGE(List.of());

    private final List<String> offeredProtocols;

    H2Mode(List<String> offeredProtocols) {
        this.offeredProtocols = offeredProtocols;
    }

    public boolean tls() {
        return this != H2C_PRIOR_KNOWLEDGE;
    }

    /** ALPN protocols, in the server's order of preference. */
    List<String> offeredProtocols() {
        return offeredProtocols;
    }
}
