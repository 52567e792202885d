package io.keepwell.http;

import java.time.Duration;

/**
 * What every Keepwell timeout says: which limit ran out and its value. Both
 * {@link HttpTimeoutException} and {@link HttpConnectTimeoutException} are one, and both are a
 * {@code java.net.http.HttpTimeoutException}.
 */
public interface KeepwellTimeout {

    /**
     * Which limit ran out.
     *
     * @return the phase the exchange was in; never {@code null}
     */
    HttpTimeoutException.Phase phase();

    /**
     * The limit's value.
     *
     * @return the configured duration that ran out; never {@code null}
     */
    Duration limit();
}
