package io.keepwell.micrometer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Gives each of the first {@code maxKeys} distinct keys a value of its own, made once, and every
 * later key the one shared overflow value: the bound on a tag's cardinality. A key keeps its value
 * for the life of this object, so once full it stays full and the overflow path takes no lock.
 */
final class BoundedValues<K, V> {

    private final ConcurrentHashMap<K, V> own = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final Function<K, V> create;
    private final V overflow;
    private volatile boolean full;

    BoundedValues(int maxKeys, Function<K, V> create, V overflow) {
        if (maxKeys < 0) {
            throw new IllegalArgumentException("maxKeys < 0: " + maxKeys);
        }
        this.maxKeys = maxKeys;
        this.create = create;
        this.overflow = overflow;
        this.full = maxKeys == 0;
    }

    V get(K key) {
        V value = own.get(key);
        if (value != null) {
            return value;
        }
        return full ? overflow : admit(key);
    }

    boolean isOverflow(V value) {
        return value == overflow;
    }

    V overflow() {
        return overflow;
    }

    private synchronized V admit(K key) {
        V value = own.get(key);
        if (value != null) {
            return value;
        }
        if (own.size() >= maxKeys) {
            full = true;
            return overflow;
        }
        value = create.apply(key);
        own.put(key, value);
        return value;
    }
}
