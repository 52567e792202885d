package io.keepwell.it.conformance;

/**
 * A deliberate difference between an engine and the JDK 17 client. Where an engine {@link
 * Engine#has has} one, the tests assert that engine's own behaviour; the README lists each, with
 * its reason ({@link DeliberateDifferencesAreDocumentedTest}).
 */
public enum Difference {

    EXPECT_CONTINUE_417_RETURNED("On a 417 to Expect: 100-continue the JDK 17 exchange hangs with the body unsent"
            + " (JDK-8286171, fixed in JDK 19); Keepwell completes with the 417 and never sends the body."),

    NO_CONTENT_LENGTH_WITHOUT_BODY("JDK 17 sends Content-Length: 0 on a GET, DELETE or custom method without a body"
            + " (JDK-8283544, dropped in JDK 19); Keepwell sends none unless the method is POST, PUT or PATCH,"
            + " as RFC 9110 section 8.6 and JDK 19+ do."),

    NO_H2C_UPGRADE("The JDK's default version() HTTP_2 asks for an h2c upgrade on plain http; Keepwell's asks for"
            + " none: over plain http it speaks HTTP/2 only with prior knowledge (h2cPriorKnowledge)."),

    REDIRECT_WITHOUT_LOCATION_RETURNED("The JDK fails a 3xx without Location with UncheckedIOException(\"Invalid"
            + " redirection\"); Keepwell returns the 3xx to the caller, as it is not a redirect it can follow."),

    REQUEST_TIMEOUT_COVERS_BODY("The JDK 17 request timeout ends when the response headers arrive; Keepwell's covers"
            + " the whole exchange to the last body byte, so a body that stalls after the headers times out."),

    RETRY_ONLY_ON_REUSED_CONNECTION("The JDK sends a GET again after a close before the response even on a new"
            + " connection; Keepwell retries only on a reused connection, as Go does: a failure on a fresh"
            + " connection says something about the server, not about a stale connection."),

    FORWARDED_PROXY_407_FAILS("The JDK returns a forwarding HTTP proxy's 407 that it cannot answer as the response;"
            + " Keepwell fails the call with ProxyException (status 407, the proxy named), since the origin was never"
            + " reached, as it fails a CONNECT tunnel's 407."),

    ERROR_MESSAGES("Exception messages are Keepwell's own, naming the request and the facts; the exception types"
            + " are the JDK's or subclasses of them.");

    private final String reason;

    Difference(String reason) {
        this.reason = reason;
    }

    /** Why the engine differs, in a sentence or two. */
    public String reason() {
        return reason;
    }
}
