package io.keepwell.netty.http2;

import io.keepwell.http.PrematureCloseException;
import io.keepwell.http.StreamResetException;
import io.keepwell.keepalive.KeepAliveVerdict;
import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.ExchangeCarrier;
import io.keepwell.pool.CloseReason;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Exception;

import java.net.http.HttpClient;

/**
 * One HTTP/2 stream as its exchange's reader sees it: releasing it closes the stream (Netty resets
 * it only if either side had not ended it), this side's early end resets it, and a close by the
 * server is told as the server's reset, or as its GOAWAY, when one came. Its stream slot goes back
 * to the pool exactly once, through the connection's guard, when the stream channel has closed.
 * Event loop only.
 */
final class StreamCarrier implements ExchangeCarrier {

    private final ConnectionContext connection;
    private final Http2ConnectionGuard guard;
    private final Object request; // the exchange, named only in an exception's message
    private boolean resetByThisSide;
    private StreamResetException reset; // the server's reset, or its GOAWAY above this stream
    private boolean slotFreed;
    private io.netty.handler.codec.http2.Http2StreamChannel stream; // once opened

    StreamCarrier(ConnectionContext connection, Http2ConnectionGuard guard, Object request) {
        this.connection = connection;
        this.guard = guard;
        this.request = request;
    }

    @Override
    public void release(Channel channel, KeepAliveVerdict verdict, long serverIdleTimeoutNanos) {
        channel.close();
    }

    @Override
    public void closing(CloseReason reason) {
        if (reset == null) {
            resetByThisSide = true;
        }
    }

    @Override
    public boolean clientClosing() {
        return connection.clientClosing();
    }

    @Override
    public Throwable closedByPeer(PrematureCloseException.Phase phase, long bytesWritten, boolean reused) {
        return reset != null ? reset : new PrematureCloseException(phase, bytesWritten, reused, connection.peerCloseCause());
    }

    @Override
    public Throwable writeFailed(Throwable cause, long bytesWritten) {
        // The codec refused to open the stream (a GOAWAY came first, stream ids ran out): nothing reached the server.
        return cause instanceof Http2Exception && bytesWritten == 0 ? unprocessed(cause.getMessage()) : null;
    }

    @Override
    public HttpClient.Version version() {
        return HttpClient.Version.HTTP_2;
    }

    /** The server reset the stream with {@code errorCode}. */
    void resetReceived(long errorCode) {
        boolean refused = errorCode == StreamResetException.REFUSED_STREAM;
        String name = Http2ConnectionGuard.errorName(errorCode);
        reset = new StreamResetException(refused
                ? request + ": the server refused the stream (REFUSED_STREAM); it did not process the request"
                : request + ": the server reset the stream with " + name, errorCode, name, refused);
        if (refused) {
            guard.streamRefused();
        }
    }

    /** The server's GOAWAY names a last stream below this one: it did not process the request. */
    void goAwayAbove(int lastStreamId, long errorCode) {
        reset = new StreamResetException(request + ": the server's GOAWAY (last stream " + lastStreamId
                + ") left this stream unprocessed", errorCode, Http2ConnectionGuard.errorName(errorCode), true);
    }

    /** A failure for an attempt the server never saw. */
    StreamResetException unprocessed(String why) {
        return new StreamResetException(request + ": " + why, StreamResetException.REFUSED_STREAM, "REFUSED_STREAM", true);
    }

    void stream(io.netty.handler.codec.http2.Http2StreamChannel stream) {
        this.stream = stream;
    }

    /** The stream's id, or -1 before its first frame was written (or when it never opened). */
    int streamId() {
        return stream == null ? -1 : stream.stream().id();
    }

    /** The stream channel closed: its slot goes back, once. */
    void streamClosed() {
        if (!slotFreed) {
            slotFreed = true;
            guard.slotFreed(this, resetByThisSide);
        }
    }
}
