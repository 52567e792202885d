package io.keepwell.pool;

/** How many connections are in each state, for the whole pool or one host; guarded by the pool lock. */
final class StateCounts {

    private final int[] byState = new int[ConnState.values().length];

    void add(ConnState state) {
        byState[state.ordinal()]++;
    }

    void move(ConnState from, ConnState to) {
        byState[from.ordinal()]--;
        byState[to.ordinal()]++;
    }

    int of(ConnState state) {
        return byState[state.ordinal()];
    }

    /** Connections whose socket is not closed: connecting, active, idle or closing. */
    int open() {
        return of(ConnState.CONNECTING) + of(ConnState.ACTIVE) + of(ConnState.IDLE) + of(ConnState.CLOSING);
    }
}
