package io.keepwell.netty.handler;

import io.keepwell.keepalive.ExchangeFacts;
import io.keepwell.keepalive.KeepAliveHint;
import io.keepwell.keepalive.KeepAlivePolicy;
import io.keepwell.keepalive.KeepAliveVerdict;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What one response's head says about its connection's reuse (HTTP/1.1): {@code Connection},
 * HTTP/1.0, close-delimited framing, a body framed where none is allowed, the server's
 * {@code Keep-Alive} hint, and whether it came before the request was fully written. The reader
 * records them at the head and asks for the keep-alive verdict once, at the end. Event loop only.
 */
final class ResponseFraming {

    private boolean responseAskedClose;
    private boolean http10;
    private boolean http10KeepAlive;
    private boolean closeDelimited;
    private boolean earlyResponse;
    private boolean bodyFramedWhereNoneAllowed;
    private boolean chunksAnnouncedWhereNoneAllowed; // seen by the decoder, which then strips the header
    private KeepAliveHint hint = KeepAliveHint.NONE;

    /** A new exchange: nothing is known of its response yet. */
    void reset() {
        responseAskedClose = false;
        http10 = false;
        http10KeepAlive = false;
        closeDelimited = false;
        earlyResponse = false;
        bodyFramedWhereNoneAllowed = false;
        chunksAnnouncedWhereNoneAllowed = false;
        hint = KeepAliveHint.NONE;
    }

    /** The decoder found {@code Transfer-Encoding: chunked} on a 1xx or 204, which has no body. */
    void chunksAnnouncedWhereNoneAllowed() {
        chunksAnnouncedWhereNoneAllowed = true;
    }

    /** Records the final response's head; {@code mayHaveBody} from its status and the request's method. */
    void head(HttpResponse response, int code, boolean mayHaveBody, boolean requestWritten) {
        http10 = response.protocolVersion().equals(HttpVersion.HTTP_1_0);
        responseAskedClose = response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        http10KeepAlive = http10 && response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true);
        closeDelimited = !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response) && mayHaveBody;
        earlyResponse = !requestWritten;
        // A 204 cannot have a body (RFC 9110 section 15.3.5); if the server framed one, its bytes
        // may still be on the way and would be read as the next response.
        bodyFramedWhereNoneAllowed = chunksAnnouncedWhereNoneAllowed
                || code == 204 && (response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                || !response.headers().get(HttpHeaderNames.CONTENT_LENGTH, "0").equals("0"));
        hint = KeepAliveHint.parse(response.headers().get("Keep-Alive"));
    }

    /**
     * The keep-alive verdict, decided once at the end: {@code bodyRead} says whether the body was
     * read to its framed end; {@code bytesBeyond} whether bytes follow the response's end.
     */
    KeepAliveVerdict verdict(boolean requestWritten, boolean requestAskedClose, KeepAliveVerdict bodyRead, boolean bytesBeyond) {
        return KeepAlivePolicy.decide(new ExchangeFacts(
                requestWritten, bodyRead.reusable(), requestAskedClose, responseAskedClose,
                http10, http10KeepAlive, closeDelimited,
                bodyFramedWhereNoneAllowed || (bodyRead.reusable() && bytesBeyond), earlyResponse, hint.max()));
    }

    /** The server's idle limit from its {@code Keep-Alive} header, or {@link Long#MAX_VALUE}. */
    long serverIdleTimeoutNanos() {
        return hint.timeoutNanos();
    }
}
