package io.keepwell.pool;

import java.util.EnumMap;
import java.util.Map;

/**
 * The pool's answer to an offered connection. A refusal carries its reason, and the party that
 * offered the connection must close it; an accepted connection belongs to the pool (or to the
 * waiter it was handed to).
 */
public final class OfferVerdict {

    /** What became of the offered connection. */
    public enum Outcome {
        /** Kept in the idle pool. */
        POOLED,
        /** Given straight to a request that was waiting for a connection to this host. */
        HANDED_OFF,
        /**
         * A released stream's slot is free and the multiplexed connection stays as it was: still
         * serving other streams, or already closing by another party's decision. Nobody closes it
         * on this verdict's account.
         */
        KEPT,
        /** Not kept: the offering party closes it. */
        REFUSED
    }

    /** The connection is idle in the pool; the offering party must not use it any more. */
    public static final OfferVerdict POOLED = new OfferVerdict(Outcome.POOLED, null);
    /** The connection is already leased to a waiting request; the offering party must not use it any more. */
    public static final OfferVerdict HANDED_OFF = new OfferVerdict(Outcome.HANDED_OFF, null);

    /** A stream ended and its connection goes on (see {@link Outcome#KEPT}); the releasing party closes nothing. */
    public static final OfferVerdict KEPT = new OfferVerdict(Outcome.KEPT, null);

    private static final Map<RefuseReason, OfferVerdict> REFUSALS = new EnumMap<>(RefuseReason.class);

    static {
        for (RefuseReason reason : RefuseReason.values()) {
            REFUSALS.put(reason, new OfferVerdict(Outcome.REFUSED, reason));
        }
    }

    private final Outcome outcome;
    private final RefuseReason reason;

    private OfferVerdict(Outcome outcome, RefuseReason reason) {
        this.outcome = outcome;
        this.reason = reason;
    }

    /**
     * The refusal for {@code reason}; one shared instance per reason.
     *
     * @param reason why the pool would not keep the connection; not {@code null}
     * @return a verdict whose outcome is {@link Outcome#REFUSED}
     */
    public static OfferVerdict refused(RefuseReason reason) {
        return REFUSALS.get(reason);
    }

    /**
     * What became of the offered connection.
     *
     * @return the outcome; never {@code null}
     */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * Whether the pool kept the connection (idle, handed off, or serving other streams); if not, the
     * caller closes it.
     *
     * @return {@code true} unless the outcome is {@link Outcome#REFUSED}
     */
    public boolean isAccepted() {
        return outcome != Outcome.REFUSED;
    }

    /**
     * The reason of a refusal.
     *
     * @return the refusal's reason; {@code null} when the connection was accepted
     */
    public RefuseReason refuseReason() {
        return reason;
    }

    @Override
    public String toString() {
        return reason == null ? outcome.name() : "REFUSED(" + reason + ")";
    }
}
