package io.keepwell.bench.util;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;

/** Experiment: Netty select strategies for the single-request latency question (issue 14 item 5). */
public final class SpinSelect {
    private SpinSelect() {
    }

    /** From {@code -Dkeepwell.bench.select=busy|spin:MICROS}; null for Netty's default. */
    public static SelectStrategyFactory fromProperty() {
        String mode = System.getProperty("keepwell.bench.select", "");
        if (mode.equals("busy")) {
            return () -> (supplier, hasTasks) -> SelectStrategy.BUSY_WAIT;
        }
        if (mode.startsWith("spin:")) {
            long spinNanos = Long.parseLong(mode.substring(5)) * 1000;
            return () -> (supplier, hasTasks) -> {
                if (hasTasks) {
                    return supplier.get();
                }
                long until = System.nanoTime() + spinNanos;
                do {
                    int ready = supplier.get();
                    if (ready > 0) {
                        return ready;
                    }
                    Thread.onSpinWait();
                } while (System.nanoTime() - until < 0);
                return SelectStrategy.SELECT;
            };
        }
        return null;
    }
}
