package io.keepwell.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Immutable HTTP header fields. Names compare case-insensitively; the order of values for one name
 * is kept.
 */
public final class HttpHeaders {

    private static final HttpHeaders EMPTY = new HttpHeaders(Collections.emptyMap());

    // Either form may be present: pairs as they arrived from a transport (name, value, name, value,
    // ...), looked up by a scan, which beats building a map for the handful of fields a response
    // has; the map is made from them on first need.
    private final String[] pairs;
    private final int pairCount;
    private volatile Map<String, List<String>> byName;

    private HttpHeaders(Map<String, List<String>> byName) {
        this.byName = byName;
        this.pairs = null;
        this.pairCount = 0;
    }

    private HttpHeaders(String[] pairs, int pairCount) {
        this.pairs = pairs;
        this.pairCount = pairCount;
    }

    /**
     * Headers from a transport whose decoder has already checked every name and value (Netty's
     * does): {@code pairs} holds {@code count} name/value pairs in arrival order and is kept, not
     * copied, so the caller must not change it afterwards.
     */
    public static HttpHeaders ofDecodedPairs(String[] pairs, int count) {
        if (count == 0) {
            return EMPTY;
        }
        if (pairs.length < count * 2) {
            throw new IllegalArgumentException(count + " pairs need " + count * 2 + " slots, not " + pairs.length);
        }
        return new HttpHeaders(pairs, count);
    }

    /** Headers with no fields. */
    public static HttpHeaders empty() {
        return EMPTY;
    }

    /** Headers holding a copy of {@code map}. Names and values are validated. */
    public static HttpHeaders of(Map<String, List<String>> map) {
        Builder builder = new Builder();
        map.forEach((name, values) -> values.forEach(value -> builder.add(name, value)));
        return builder.build();
    }

    /** The first value of the field {@code name}, if present. */
    public Optional<String> firstValue(String name) {
        if (pairs != null) {
            for (int i = 0; i < pairCount; i++) {
                if (pairs[2 * i].equalsIgnoreCase(name)) {
                    return Optional.of(pairs[2 * i + 1]);
                }
            }
            return Optional.empty();
        }
        List<String> values = byName.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Every value of the field {@code name}, in order; an empty list if absent. */
    public List<String> allValues(String name) {
        List<String> values = map().get(name);
        return values == null ? List.of() : values;
    }

    /** Whether a field {@code name} is present. */
    public boolean contains(String name) {
        return firstValue(name).isPresent();
    }

    /** An unmodifiable view: case-insensitive keys in lower-case order. */
    public Map<String, List<String>> map() {
        Map<String, List<String>> map = byName;
        if (map == null) {
            Builder builder = new Builder();
            for (int i = 0; i < pairCount; i++) {
                builder.addChecked(pairs[2 * i], pairs[2 * i + 1]);
            }
            map = builder.build().map();
            byName = map;
        }
        return map;
    }

    /** Calls {@code action} once per value, in order. */
    public void forEach(BiConsumer<String, String> action) {
        if (pairs != null) {
            for (int i = 0; i < pairCount; i++) {
                action.accept(pairs[2 * i].toLowerCase(Locale.ROOT), pairs[2 * i + 1]);
            }
            return;
        }
        byName.forEach((name, values) -> values.forEach(value -> action.accept(name, value)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpHeaders other && map().equals(other.map());
    }

    @Override
    public int hashCode() {
        return map().hashCode();
    }

    @Override
    public String toString() {
        return map().toString();
    }

    /** Accumulates fields; not thread-safe. */
    public static final class Builder {
        private final TreeMap<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

        /** Adds a value for {@code name}, keeping earlier ones. */
        public Builder add(String name, String value) {
            HttpSyntax.requireToken(name, "header name");
            HttpSyntax.requireFieldValue(value, name);
            byName.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
            return this;
        }

        /** Adds a pair a transport's decoder has already checked. */
        Builder addChecked(String name, String value) {
            byName.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
            return this;
        }

        /** Replaces every value of {@code name} with {@code value}. */
        public Builder set(String name, String value) {
            HttpSyntax.requireToken(name, "header name");
            HttpSyntax.requireFieldValue(value, name);
            remove(name);
            return add(name, value);
        }

        /** Removes {@code name}. */
        public Builder remove(String name) {
            byName.remove(name);
            return this;
        }

        /** Whether {@code name} has been added. */
        public boolean contains(String name) {
            return byName.containsKey(name);
        }

        public HttpHeaders build() {
            if (byName.isEmpty()) {
                return EMPTY;
            }
            TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            byName.forEach((name, values) -> copy.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            return new HttpHeaders(Collections.unmodifiableMap(copy));
        }
    }
}
