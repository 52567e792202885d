package io.keepwell.netty.handler;

import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header names servers send on nearly every response, each one shared {@link AsciiString},
 * so decoding a response head copies no name byte and validates no common name again
 * ({@link CompactHttpHeaders} knows them). A name is
 * matched byte for byte, in the case it arrived in (its canonical form or all lower case, as
 * servers write them): the caller sees exactly what the server sent. Any other name is decoded
 * and validated as Netty does.
 */
final class ResponseHeaderNames {

    private static final String[] CANONICAL = {
            "Date", "Server", "Content-Type", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding",
            "Content-Encoding", "Cache-Control", "Expires", "Last-Modified", "ETag", "Vary", "Accept-Ranges",
            "Location", "Set-Cookie", "Age", "Pragma", "Strict-Transport-Security", "X-Content-Type-Options",
            "X-Frame-Options", "Access-Control-Allow-Origin", "Content-Security-Policy", "Alt-Svc", "Via",
            "X-Request-Id", "Referrer-Policy", "Content-Disposition", "Content-Language", "Retry-After",
            "WWW-Authenticate", "Proxy-Authenticate", "Trailer", "Upgrade",
    };

    /** By length, then the candidates of that length. */
    private static final AsciiString[][] BY_LENGTH = byLength();

    private ResponseHeaderNames() {
    }

    /** The shared name for {@code length} bytes of {@code line} at {@code start}, or {@code null}. */
    static AsciiString lookup(byte[] line, int start, int length) {
        if (length >= BY_LENGTH.length) {
            return null;
        }
        AsciiString[] candidates = BY_LENGTH[length];
        if (candidates == null) {
            return null;
        }
        for (AsciiString candidate : candidates) {
            if (sameBytes(candidate, line, start, length)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean sameBytes(AsciiString name, byte[] line, int start, int length) {
        byte[] own = name.array(); // the constants are built from their own arrays, offset 0
        for (int i = length - 1; i >= 0; i--) { // endings differ more than beginnings (Content-*)
            if (own[i] != line[start + i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code name} is one of this table's instances. */
    static boolean isShared(CharSequence name) {
        if (!(name instanceof AsciiString ascii) || ascii.length() >= BY_LENGTH.length) {
            return false;
        }
        AsciiString[] candidates = BY_LENGTH[ascii.length()];
        if (candidates != null) {
            for (AsciiString candidate : candidates) {
                if (candidate == name) {
                    return true;
                }
            }
        }
        return false;
    }

    private static AsciiString[][] byLength() {
        int longest = 0;
        for (String name : CANONICAL) {
            longest = Math.max(longest, name.length());
        }
        List<List<AsciiString>> lists = new ArrayList<>();
        for (int i = 0; i <= longest; i++) {
            lists.add(new ArrayList<>());
        }
        for (String name : CANONICAL) {
            lists.get(name.length()).add(new AsciiString(name));
            lists.get(name.length()).add(new AsciiString(name.toLowerCase(Locale.ROOT)));
        }
        AsciiString[][] table = new AsciiString[longest + 1][];
        for (int i = 0; i <= longest; i++) {
            if (!lists.get(i).isEmpty()) {
                table[i] = lists.get(i).toArray(new AsciiString[0]);
            }
        }
        return table;
    }
}
