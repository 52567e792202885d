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

    private final Map<String, List<String>> byName;

    private HttpHeaders(Map<String, List<String>> byName) {
        this.byName = byName;
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
        List<String> values = byName.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Every value of the field {@code name}, in order; an empty list if absent. */
    public List<String> allValues(String name) {
        List<String> values = byName.get(name);
        return values == null ? List.of() : values;
    }

    /** Whether a field {@code name} is present. */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** An unmodifiable view: case-insensitive keys in lower-case order. */
    public Map<String, List<String>> map() {
        return byName;
    }

    /** Calls {@code action} once per value, in order. */
    public void forEach(BiConsumer<String, String> action) {
        byName.forEach((name, values) -> values.forEach(value -> action.accept(name, value)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpHeaders other && byName.equals(other.byName);
    }

    @Override
    public int hashCode() {
        return byName.hashCode();
    }

    @Override
    public String toString() {
        return byName.toString();
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
