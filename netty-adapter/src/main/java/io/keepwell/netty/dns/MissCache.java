package io.keepwell.netty.dns;

import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.resolver.dns.DnsErrorCauseException;

import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Names a name server said do not exist (NXDOMAIN), remembered for the negative TTL. Netty's cache
 * keeps a miss only when the answer is authoritative, and a recursive server's (the usual kind,
 * behind resolv.conf) is not, so without this every request to a misspelt host would ask again.
 * Timeouts and other failures are not misses.
 */
final class MissCache {

    /** Past this many names, expired ones are dropped; past it still, all are. */
    private static final int MAX_NAMES = 4096;

    private final long ttlNanos;
    private final Map<String, Miss> misses = new ConcurrentHashMap<>();

    private record Miss(long expiresAt, UnknownHostException failure) {
    }

    MissCache(int ttlSeconds) {
        this.ttlNanos = TimeUnit.SECONDS.toNanos(ttlSeconds);
    }

    /** The remembered failure for {@code host}, or null. */
    UnknownHostException get(String host) {
        Miss miss = misses.get(key(host));
        if (miss == null) {
            return null;
        }
        if (System.nanoTime() - miss.expiresAt >= 0) {
            misses.remove(key(host), miss);
            return null;
        }
        return miss.failure;
    }

    /** Remembers {@code failure} if it says the name does not exist. */
    void offer(String host, Throwable failure) {
        if (ttlNanos == 0 || !(failure instanceof UnknownHostException unknown) || !isNxDomain(unknown)) {
            return;
        }
        if (misses.size() >= MAX_NAMES) {
            long now = System.nanoTime();
            misses.values().removeIf(m -> now - m.expiresAt >= 0);
            if (misses.size() >= MAX_NAMES) {
                misses.clear();
            }
        }
        misses.put(key(host), new Miss(System.nanoTime() + ttlNanos, unknown));
    }

    private static boolean isNxDomain(UnknownHostException failure) {
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof DnsErrorCauseException error) {
                return DnsResponseCode.NXDOMAIN.equals(error.getCode());
            }
        }
        return false;
    }

    private static String key(String host) {
        return host.toLowerCase(Locale.ROOT);
    }
}
