package io.keepwell.pool;

/**
 * Idle connections of every host in the order they went idle, oldest first: an intrusive doubly
 * linked list through {@link PooledConnection}, so removal from the middle is O(1). Guarded by the
 * pool's lock.
 */
final class IdleList<T> {
    private PooledConnection<T> oldest;
    private PooledConnection<T> newest;
    private int size;

    int size() {
        return size;
    }

    PooledConnection<T> oldest() {
        return oldest;
    }

    void addNewest(PooledConnection<T> c) {
        c.lruPrev = newest;
        c.lruNext = null;
        if (newest == null) {
            oldest = c;
        } else {
            newest.lruNext = c;
        }
        newest = c;
        size++;
    }

    void remove(PooledConnection<T> c) {
        if (c.lruPrev == null && oldest != c) {
            return; // not in the list
        }
        if (c.lruPrev == null) {
            oldest = c.lruNext;
        } else {
            c.lruPrev.lruNext = c.lruNext;
        }
        if (c.lruNext == null) {
            newest = c.lruPrev;
        } else {
            c.lruNext.lruPrev = c.lruPrev;
        }
        c.lruPrev = null;
        c.lruNext = null;
        size--;
    }
}
