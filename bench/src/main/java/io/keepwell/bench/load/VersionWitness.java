package io.keepwell.bench.load;

import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP version of a client's responses as the client itself reports them, so a run can show
 * that it measured what it asked for ({@code HTTP_2}, not a silent fall-back to HTTP/1.1). The
 * hot path is one volatile read and an identity comparison; the reference changes at most twice.
 */
public final class VersionWitness {

    public static final String HTTP_1_1 = "HTTP_1_1";
    public static final String HTTP_2 = "HTTP_2";
    /** Responses came in more than one version. */
    public static final String MIXED = "MIXED";

    private final AtomicReference<String> seen = new AtomicReference<>();

    /** Records one response's version: {@link #HTTP_1_1} or {@link #HTTP_2} (the constants, compared by identity). */
    public void saw(String version) {
        String s = seen.get();
        if (s == version || s == MIXED) {
            return;
        }
        while (true) {
            if (seen.compareAndSet(s, s == null ? version : MIXED)) {
                return;
            }
            s = seen.get();
            if (s == version || s == MIXED) {
                return;
            }
        }
    }

    /** What was seen: a version, {@link #MIXED}, or {@code null} before the first response. */
    public String get() {
        return seen.get();
    }

    public static String of(HttpClient.Version version) {
        return version == HttpClient.Version.HTTP_2 ? HTTP_2 : HTTP_1_1;
    }

    /** From a major version number (Apache's, Jetty's and Netty's version objects have one). */
    public static String ofMajor(int major) {
        return major == 2 ? HTTP_2 : HTTP_1_1;
    }
}
