package io.keepwell.micrometer;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * A fixed number of slots, each filled on first use: meters by an enum's ordinal or a status
 * code, found later without a lookup key or an allocation. Two threads racing to fill a slot may
 * both create; a registry gives both the same meter, so either answer is right.
 */
final class LazyArray<E> {

    private final AtomicReferenceArray<E> slots;
    private final IntFunction<E> create;

    LazyArray(int size, IntFunction<E> create) {
        this.slots = new AtomicReferenceArray<>(size);
        this.create = create;
    }

    E get(int index) {
        E e = slots.get(index);
        if (e == null) {
            e = create.apply(index);
            slots.set(index, e);
        }
        return e;
    }
}
