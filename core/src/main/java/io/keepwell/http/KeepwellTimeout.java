package io.keepwell.http;

import java.time.Duration;

/**
 * What every Keepwell timeout says: which limit ran out and its value. Both
 * {@link HttpTimeoutException} and {@link HttpConnectTimeoutException} are one, and both are a
 * {@code java.net.http.HttpTimeoutException}.
 */
public interface KeepwellTimeout {

    /** Which limit ran out. */
    HttpTimeoutException.Phase phase();

    /** The limit's value. */
    Duration limit();
}
