/**
 * What Keepwell adds to {@code java.net.http}, usable with any {@code java.net.http.HttpClient}
 * where it makes sense: exceptions that say what failed and where ({@link
 * io.keepwell.http.HttpTimeoutException} with its {@link io.keepwell.http.HttpTimeoutException.Phase},
 * {@link io.keepwell.http.PrematureCloseException}, {@link io.keepwell.http.HttpProtocolException},
 * {@link io.keepwell.http.BodyTooLargeException}, {@link io.keepwell.http.RequestBodyException},
 * {@link io.keepwell.http.ClientClosedException}), body handlers that hold a body in memory only
 * up to a limit or give up on a large body instead of draining it ({@link
 * io.keepwell.http.KeepwellBodyHandlers}), a file body a transport can send without copying
 * ({@link io.keepwell.http.KeepwellBodyPublishers}), and the per-request events of {@link
 * io.keepwell.http.RequestListener}.
 */
package io.keepwell.http;
