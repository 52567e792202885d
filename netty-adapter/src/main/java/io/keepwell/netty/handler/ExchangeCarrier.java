package io.keepwell.netty.handler;

import io.keepwell.http.PrematureCloseException;
import io.keepwell.keepalive.KeepAliveVerdict;
import io.keepwell.pool.CloseReason;
import io.netty.channel.Channel;

import java.net.http.HttpClient;

/**
 * What an exchange runs on, as its reader sees it: an HTTP/1.1 connection ({@link ConnectionContext})
 * or one HTTP/2 stream ({@code StreamCarrier}). The reader's state machine, timers, body delivery
 * and error classification are the same on both; only how the carrier is given back, chosen to
 * close, and how a close by the peer is told differ.
 */
public interface ExchangeCarrier {

    /**
     * The exchange ended at its framed end (or its body was given up): give the carrier back.
     * Runs on the channel's event loop.
     *
     * @param channel                the channel the exchange ran on
     * @param verdict                the exchange's keep-alive verdict (HTTP/1.1 only)
     * @param serverIdleTimeoutNanos the server's idle hint (HTTP/1.1 only)
     */
    void release(Channel channel, KeepAliveVerdict verdict, long serverIdleTimeoutNanos);

    /**
     * This side ends the exchange early for {@code reason} and is about to close the channel:
     * for a connection the pool is told the reason; a stream is reset.
     *
     * @param reason why the exchange ends
     */
    void closing(CloseReason reason);

    /**
     * Whether the client is closing (a close under an exchange is then the client's, not the peer's).
     *
     * @return {@code true} once the client started closing
     */
    boolean clientClosing();

    /**
     * Why the peer's close ended the exchange, given how far it got: for a connection a
     * {@link PrematureCloseException} with those facts; for a stream the server's reset, or its
     * GOAWAY, when one came, else the same premature close.
     *
     * @param phase        where the exchange stood
     * @param bytesWritten request bytes that reached the socket
     * @param reused       whether the connection had served before
     * @return the failure to report; never {@code null}
     */
    Throwable closedByPeer(PrematureCloseException.Phase phase, long bytesWritten, boolean reused);

    /**
     * What a failed request write means on this carrier, when it is more than a broken connection:
     * an HTTP/2 stream the codec refused to open never reached the server.
     *
     * @param cause        the write's failure
     * @param bytesWritten request bytes that reached the socket
     * @return the failure to report instead, or {@code null} to classify {@code cause} as usual
     */
    default Throwable writeFailed(Throwable cause, long bytesWritten) {
        return null;
    }

    /**
     * The protocol the exchange speaks.
     *
     * @return {@code HTTP_1_1} or {@code HTTP_2}
     */
    HttpClient.Version version();
}
