package io.keepwell.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Independent counts of what the process holds, and waiting on conditions with a deadline. */
public final class Witnesses {
    private Witnesses() {
    }

    /** Sockets this process has open, read from {@code /proc/self/fd}; -1 where there is no /proc. */
    public static int processSockets() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> entries = Files.list(fds)) {
            return (int) entries.filter(Witnesses::isSocket).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isSocket(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException e) {
            return false; // closed while listing
        }
    }

    /** Live threads whose name starts with {@code prefix}. */
    public static int threadsNamed(String prefix) {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** Live threads, except those of the test servers (they come and go with their connections). */
    public static int clientSideThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.getName().startsWith("scripted-server")).count();
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes, then fails with {@code describe}'s text. */
    public static void awaitCondition(Duration timeout, BooleanSupplier condition, Supplier<String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not met within " + timeout.toMillis() + " ms: " + describe.get());
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
            pauseMillis = Math.min(50, pauseMillis * 2);
        }
    }
}
