package io.keepwell.it.support.h2;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds the replies that wait for it (see {@link H2Reply#heldBy}) until a test releases it; once
 * released it holds nothing more. Thread-safe.
 */
public final class H2Gate {

    private final List<Runnable> waiting = new ArrayList<>(); // guarded by this
    private boolean released; // guarded by this

    /** Lets every held reply go, and every later one through at once. */
    public void release() {
        List<Runnable> go;
        synchronized (this) {
            released = true;
            go = List.copyOf(waiting);
            waiting.clear();
        }
        go.forEach(Runnable::run);
    }

    /** Replies waiting now. */
    public synchronized int holding() {
        return waiting.size();
    }

    void whenReleased(Runnable reply) {
        synchronized (this) {
            if (!released) {
                waiting.add(reply);
                return;
            }
        }
        reply.run();
    }
}
