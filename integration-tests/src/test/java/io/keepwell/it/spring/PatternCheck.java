package io.keepwell.it.spring;

import io.keepwell.it.support.Actions;

/**
 * Checks a streamed body byte by byte against {@link Actions#largeBody}'s pattern, and samples the
 * heap every {@link #SAMPLE_EVERY} bytes. Fed by one thread at a time.
 */
final class PatternCheck {

    static final long SAMPLE_EVERY = 32L << 20;

    private final RetainedHeap heap;
    private long position;
    private long nextSample = SAMPLE_EVERY;

    PatternCheck(RetainedHeap heap) {
        this.heap = heap;
    }

    void accept(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != Actions.patternByte(position)) {
                throw new AssertionError("wrong byte at " + position);
            }
            position++;
        }
        if (position >= nextSample) {
            nextSample += SAMPLE_EVERY;
            heap.sample();
        }
    }

    long bytesChecked() {
        return position;
    }
}
