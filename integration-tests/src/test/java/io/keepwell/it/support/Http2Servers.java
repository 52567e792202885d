package io.keepwell.it.support;

import java.io.UncheckedIOException;

/** Shared fixtures of the HTTP/2 real-server tests. */
public final class Http2Servers {

    private Http2Servers() {}

    /**
     * A certificate for {@code localhost} and {@code 127.0.0.1}, made once per test class that asks
     * (keytool takes about a second); the servers' {@code uri()} use {@code 127.0.0.1}.
     */
    public static TestCertificates loopbackCertificates() {
        try {
            return TestCertificates.generate("dns:localhost,ip:127.0.0.1");
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test certificate", e instanceof UncheckedIOException u ? u.getCause() : e);
        }
    }
}
