package io.keepwell.bench.util;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Counts of what this process holds, read from the operating system and the JVM rather than from
 * the client, so they can contradict it: sockets in {@code /proc/self/fd} and live threads.
 */
public final class ProcessWitness {

    private static final Path FDS = Path.of("/proc/self/fd");

    private ProcessWitness() {
    }

    /** Whether {@link #sockets()} can count (Linux). */
    public static boolean canCountSockets() {
        return Files.isDirectory(FDS);
    }

    /** Sockets this process has open: {@code /proc/self/fd} entries that link to {@code socket:[…]}; -1 without /proc. */
    public static int sockets() {
        if (!canCountSockets()) {
            return -1;
        }
        int count = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(FDS)) {
            for (Path fd : entries) {
                if (isSocket(fd)) {
                    count++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + FDS, e);
        }
        return count;
    }

    private static boolean isSocket(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (NoSuchFileException closedWhileListing) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Live threads of this JVM, daemon or not (the JIT's hidden threads excepted, as the JVM hides them). */
    public static int liveThreads() {
        int count = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                count++;
            }
        }
        return count;
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes, backing off from 1 ms to
     * 50 ms between polls; returns whether it held. Never a fixed sleep: it returns as soon as the
     * condition is met.
     */
    public static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseNanos = 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return condition.getAsBoolean();
            }
            LockSupport.parkNanos(pauseNanos);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
            pauseNanos = Math.min(50_000_000, pauseNanos * 2);
        }
        return true;
    }
}
