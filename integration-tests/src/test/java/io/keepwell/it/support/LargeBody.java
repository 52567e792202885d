package io.keepwell.it.support;

import java.nio.charset.StandardCharsets;

/** The body of known content the servers serve as their large static file: one 64-byte line repeated. */
final class LargeBody {

    /** The line the body repeats (plus a newline): 64 bytes per line. */
    static final String LINE = "keepwell-large-body-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDE";

    private LargeBody() {}

    /** The first {@code size} bytes of the repeated line. */
    static byte[] of(int size) {
        byte[] line = (LINE + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[size];
        for (int i = 0; i < body.length; i++) {
            body[i] = line[i % line.length];
        }
        return body;
    }

    /** A shell command, for the image's busybox, that writes {@link #of(int) of(size)} to {@code file}. */
    static String writeCommand(String file, int size) {
        return "yes '" + LINE + "' | head -c " + size + " > " + file;
    }
}
