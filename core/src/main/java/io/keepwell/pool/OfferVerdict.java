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
        /** Not kept: the offering party closes it. */
        REFUSED
    }

    public static final OfferVerdict POOLED = new OfferVerdict(Outcome.POOLED, null);
    public static final OfferVerdict HANDED_OFF = new OfferVerdict(Outcome.HANDED_OFF, null);

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

    /** The refusal for {@code reason}. */
    public static OfferVerdict refused(RefuseReason reason) {
        return REFUSALS.get(reason);
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Whether the pool kept the connection (idle or handed off); if not, the caller closes it. */
    public boolean isAccepted() {
        return outcome != Outcome.REFUSED;
    }

    /** The reason of a refusal; {@code null} when accepted. */
    public RefuseReason refuseReason() {
        return reason;
    }

    @Override
    public String toString() {
        return reason == null ? outcome.name() : "REFUSED(" + reason + ")";
    }
}
