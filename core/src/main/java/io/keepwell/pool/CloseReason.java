package io.keepwell.pool;

/** Why a connection was closed; each close is counted under exactly one reason. */
public enum CloseReason {
    /** The pool refused the connection when it was released (see {@link RefuseReason}). */
    REFUSED,
    /** It sat idle past its deadline (the client's idle timeout or the server's {@code Keep-Alive: timeout}). */
    IDLE_TIMEOUT,
    /** It was the least recently used idle connection when the total idle cap was reached. */
    EVICTED,
    /** It reached its maximum lifetime. */
    LIFETIME_EXPIRED,
    /** {@code closeIdleConnections()} closed it. */
    CLOSE_IDLE,
    /** The server closed it, or the socket failed. */
    PEER_CLOSED,
    /** The server broke the protocol on it. */
    PROTOCOL_ERROR,
    /** Bytes arrived while it was idle. */
    UNSOLICITED_DATA,
    /** Producing the request body failed on this side (its stream, publisher or file). */
    REQUEST_BODY_FAILED,
    /** The request on it was cancelled, or its body abandoned, mid-exchange. */
    ABORTED,
    /** A response header or read timeout ran out on it, or the request's total timeout. */
    TIMEOUT,
    /** Its response body was left unconsumed past the abandoned-body timeout. */
    ABANDONED,
    /** The client was closed. */
    CLIENT_CLOSED,
    /** The server sent GOAWAY (HTTP/2): the connection drained its streams, then closed. */
    GOAWAY,
    /** A PING (HTTP/2) went unanswered past its timeout: the connection was taken as dead. */
    PING_TIMEOUT,
    /** The server refused streams on it again (a second {@code REFUSED_STREAM}): it was retired. */
    STREAMS_REFUSED
}
