package io.keepwell.it.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Walks an exception's cause chain, for failures that arrive wrapped (an ExecutionException, a ConnectException). */
public final class Causes {

    private Causes() {}

    /** {@code failure} and its causes, outermost first, each once. */
    public static List<Throwable> chain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /** The outermost exception of {@code type} in the chain of {@code failure}. */
    public static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
        return chain(failure).stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** The outermost exception of {@code type} in the chain; fails with the chain if there is none. */
    public static <T extends Throwable> T require(Throwable failure, Class<T> type) {
        return find(failure, type).orElseThrow(() -> new AssertionError("no " + type.getSimpleName()
                + " in the cause chain: " + chain(failure), failure));
    }
}
