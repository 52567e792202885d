package io.keepwell.bench.util;

import java.util.Map;

/** Writes one JSON object on one line; enough for the bench's reports, with no dependency. */
public final class Json {

    private final StringBuilder out = new StringBuilder(256).append('{');
    private boolean first = true;

    private Json() {
    }

    public static Json object() {
        return new Json();
    }

    public Json put(String name, String value) {
        key(name);
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    public Json put(String name, long value) {
        key(name);
        out.append(value);
        return this;
    }

    public Json put(String name, boolean value) {
        key(name);
        out.append(value);
        return this;
    }

    /** A finite number with up to three decimals; NaN and infinities become {@code null}. */
    public Json put(String name, double value) {
        key(name);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else {
            out.append(Math.round(value * 1000.0) / 1000.0);
        }
        return this;
    }

    /** A nested object of counts. */
    public Json put(String name, Map<String, Long> counts) {
        key(name);
        out.append('{');
        boolean firstEntry = true;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (!firstEntry) {
                out.append(',');
            }
            firstEntry = false;
            quote(e.getKey());
            out.append(':').append(e.getValue());
        }
        out.append('}');
        return this;
    }

    /** A nested object written by another {@link Json}. */
    public Json put(String name, Json nested) {
        key(name);
        out.append(nested.toString());
        return this;
    }

    /** A list of strings. */
    public Json put(String name, Iterable<String> values) {
        key(name);
        out.append('[');
        boolean firstValue = true;
        for (String v : values) {
            if (!firstValue) {
                out.append(',');
            }
            firstValue = false;
            quote(v);
        }
        out.append(']');
        return this;
    }

    private void key(String name) {
        if (!first) {
            out.append(',');
        }
        first = false;
        quote(name);
        out.append(':');
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out + "}";
    }
}
