package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;

/** Response bodies by size and framing, of {@link Actions#patternByte} bytes. */
enum ResponseBodyShape {
    EMPTY(0, false),
    SMALL(10, false),
    MEBIBYTE(1 << 20, false),
    CHUNKED_EMPTY(0, true),
    CHUNKED_MEBIBYTE(1 << 20, true);

    private final int size;
    private final boolean chunked;

    ResponseBodyShape(int size, boolean chunked) {
        this.size = size;
        this.chunked = chunked;
    }

    /** The server's 200 response with this body. */
    ScriptedServer.Action response() {
        return Actions.largeBody(size, chunked);
    }

    byte[] bytes() {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = Actions.patternByte(i);
        }
        return bytes;
    }
}
