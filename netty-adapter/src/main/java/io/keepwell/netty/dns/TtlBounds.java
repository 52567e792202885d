package io.keepwell.netty.dns;

import java.time.Duration;

/**
 * The cache's bounds in whole seconds, as Netty's caches take them; a part of a second counts as a
 * second, so a bound set below one second still caches.
 */
record TtlBounds(int minSeconds, int maxSeconds, int negativeSeconds) {

    static TtlBounds of(ResolverSettings settings) {
        return new TtlBounds(seconds(settings.minTtl()), seconds(settings.maxTtl()), seconds(settings.negativeTtl()));
    }

    private static int seconds(Duration duration) {
        long whole = duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, whole);
    }
}
