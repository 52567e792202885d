package io.keepwell.pool;

/**
 * The life of one pooled connection. Every change goes through {@link #checkTransition}; the
 * pool's counts are derived from these states, so an impossible move fails loudly instead of
 * letting a count drift.
 *
 * <pre>
 *   CONNECTING ──► ACTIVE ◄──► IDLE
 *        │           │          │
 *        └────► CLOSING ◄───────┘      (chosen to close: refused, evicted, expired, aborted)
 *        │           │          │
 *        └─────► CLOSED ◄───────┘      (the socket is closed: the only way out, exactly once)
 * </pre>
 */
public enum ConnState {
    /** A slot is reserved and the transport is connecting. */
    CONNECTING,
    /** Leased to exactly one request. */
    ACTIVE,
    /** In the idle pool, leased to nobody. */
    IDLE,
    /** Chosen to close; the socket is not closed yet, so it still counts against the host's limit. */
    CLOSING,
    /** The socket is closed. */
    CLOSED;

    boolean canMoveTo(ConnState to) {
        return switch (this) {
            case CONNECTING -> to == ACTIVE || to == CLOSING || to == CLOSED;
            case ACTIVE -> to == IDLE || to == CLOSING || to == CLOSED;
            case IDLE -> to == ACTIVE || to == CLOSING || to == CLOSED;
            case CLOSING -> to == CLOSED;
            case CLOSED -> false;
        };
    }

    void checkTransition(ConnState to, Object who) {
        if (!canMoveTo(to)) {
            throw new IllegalStateException("illegal pool transition " + this + " -> " + to + " for " + who);
        }
    }
}
