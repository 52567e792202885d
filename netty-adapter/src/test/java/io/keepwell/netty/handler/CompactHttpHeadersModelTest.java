package io.keepwell.netty.handler;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link CompactHttpHeaders} against Netty's validating {@link DefaultHttpHeaders} as the reference:
 * the same operations, in any order, with names in any case and as {@code String} or
 * {@code AsciiString} (the decoder's shared names among them), must read back the same, iterate in
 * the same order, and refuse the same invalid names and values.
 */
class CompactHttpHeadersModelTest {

    private static final List<CharSequence> NAMES = List.of(
            HttpHeaderNames.CONTENT_LENGTH, "content-length", "Content-Length", "CONTENT-LENGTH",
            HttpHeaderNames.TRANSFER_ENCODING, "Transfer-Encoding", HttpHeaderNames.CONNECTION, "connection",
            new AsciiString("Date"), "date", "X-Custom", "x-custom", "Host", "Set-Cookie", "set-cookie",
            sharedName("Content-Type"), sharedName("server"), "Server", "Bad Name", "Bad:Name", "");

    private static final List<String> VALUES = List.of(
            "13", "chunked", "gzip, chunked", "keep-alive", "close", "Keep-Alive, Upgrade", "", "  padded  ",
            "a=b; Path=/", "bad\r\nvalue", "bad\u0000value", "ünï");

    private static AsciiString sharedName(String name) {
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        AsciiString shared = ResponseHeaderNames.lookup(bytes, 0, bytes.length);
        if (shared == null) {
            throw new IllegalStateException("not a shared name: " + name);
        }
        return shared;
    }

    sealed interface Op permits AddOp, SetOp, RemoveOp, ClearOp {
    }

    record AddOp(CharSequence name, String value) implements Op {
    }

    record SetOp(CharSequence name, String value) implements Op {
    }

    record RemoveOp(CharSequence name) implements Op {
    }

    record ClearOp() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<CharSequence> names = Arbitraries.of(NAMES);
        Arbitrary<String> values = Arbitraries.of(VALUES);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Combinators.combine(names, values).as((n, v) -> (Op) new AddOp(n, v))),
                net.jqwik.api.Tuple.of(2, Combinators.combine(names, values).as((n, v) -> (Op) new SetOp(n, v))),
                net.jqwik.api.Tuple.of(2, names.map(n -> (Op) new RemoveOp(n))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Op) new ClearOp())));
        return op.list().ofMaxSize(40);
    }

    @Property(tries = 300)
    void readsBackAsNettysHeadersDo(@ForAll("operations") List<Op> ops) {
        HttpHeaders model = new DefaultHttpHeaders();
        HttpHeaders compact = CompactHttpHeaders.VALIDATED.newHeaders();
        for (Op op : ops) {
            String expected = apply(model, op);
            String actual = apply(compact, op);
            assertEquals(expected, actual, "outcome of " + op);
            assertSame(model, compact);
        }
    }

    @Property(tries = 100)
    void unvalidatedHeadersHoldWhatTheyAreGiven(@ForAll("operations") List<Op> ops) {
        HttpHeaders model = new DefaultHttpHeaders(false);
        HttpHeaders compact = CompactHttpHeaders.UNVALIDATED.newHeaders();
        for (Op op : ops) {
            if (op instanceof AddOp add && add.name().length() == 0 || op instanceof SetOp set && set.name().length() == 0) {
                continue; // Netty refuses an empty name even unvalidated; this side never builds one
            }
            assertEquals(apply(model, op), apply(compact, op), "outcome of " + op);
            assertSame(model, compact);
        }
    }

    /** Applies {@code op}; the outcome is "ok" or the exception's type. */
    private static String apply(HttpHeaders headers, Op op) {
        try {
            if (op instanceof AddOp add) {
                headers.add(add.name(), add.value());
            } else if (op instanceof SetOp set) {
                headers.set(set.name(), set.value());
            } else if (op instanceof RemoveOp remove) {
                headers.remove(remove.name());
            } else {
                headers.clear();
            }
            return "ok";
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    private static void assertSame(HttpHeaders model, HttpHeaders compact) {
        assertEquals(model.size(), compact.size(), "size");
        assertEquals(model.isEmpty(), compact.isEmpty(), "isEmpty");
        assertEquals(entries(model), entries(compact), "entries in order");
        assertEquals(lowerCased(model.names()), lowerCased(compact.names()), "names");
        for (CharSequence name : NAMES) {
            if (name.length() == 0) {
                continue;
            }
            assertEquals(model.get(name), compact.get(name), "get " + name);
            assertEquals(model.getAll(name), compact.getAll(name), "getAll " + name);
            assertEquals(model.contains(name), compact.contains(name), "contains " + name);
            assertEquals(model.getInt(name), compact.getInt(name), "getInt " + name);
            for (String value : List.of("chunked", "close", "keep-alive", "upgrade", "13")) {
                assertEquals(model.containsValue(name, value, true), compact.containsValue(name, value, true),
                        "containsValue " + name + " " + value);
                assertEquals(model.contains(name, value, false), compact.contains(name, value, false),
                        "contains " + name + " " + value);
            }
        }
        assertEquals(entries(model), entries(compact.copy()), "copy");
    }

    private static List<String> entries(HttpHeaders headers) {
        List<String> entries = new ArrayList<>();
        for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            entries.add(e.getKey() + ": " + e.getValue());
        }
        List<String> viaStrings = new ArrayList<>();
        for (Map.Entry<String, String> e : headers) {
            viaStrings.add(e.getKey() + ": " + e.getValue());
        }
        assertEquals(entries, viaStrings, "both iterators agree");
        return entries;
    }

    private static java.util.Set<String> lowerCased(java.util.Set<String> names) {
        java.util.Set<String> lower = new TreeSet<>();
        for (String name : names) {
            lower.add(name.toLowerCase(Locale.ROOT));
        }
        return lower;
    }
}
