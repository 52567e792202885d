package io.keepwell.pool;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTest {

    @Test
    void keysOfOneOriginThroughDifferentRoutesDiffer() {
        URI uri = URI.create("https://Example.com/x");
        PoolKey direct = PoolKey.of(uri);
        PoolKey viaA = PoolKey.of(uri, Route.httpProxy("proxy-a", 3128));
        PoolKey viaB = PoolKey.of(uri, Route.httpProxy("proxy-b", 3128));
        PoolKey socks = PoolKey.of(uri, Route.socksProxy("proxy-a", 3128));
        PoolKey unix = PoolKey.of(uri, Route.unixSocket("/run/x.sock"));
        assertEquals(5, java.util.Set.of(direct, viaA, viaB, socks, unix).size());
        assertEquals(viaA, PoolKey.of(URI.create("https://example.com:443/y"), Route.httpProxy("PROXY-A", 3128)),
                "host and proxy names are compared lower-cased, ports defaulted");
        assertEquals(Route.DIRECT, new PoolKey("http", "h", 80).route());
    }

    @Test
    void aKeySaysItsRouteAndItsOriginAlone() {
        PoolKey key = PoolKey.of(URI.create("https://example.com/"), Route.httpProxy("::1", 3128));
        assertEquals("https://example.com:443 via http proxy [::1]:3128", key.toString());
        assertEquals("https://example.com:443", key.origin());
        assertEquals("http://h:80", new PoolKey("http", "h", 80).toString());
        assertEquals("socks proxy p:1080", Route.socksProxy("p", 1080).toString());
        assertEquals("unix socket /s", Route.unixSocket("/s").toString());
        assertEquals("direct", Route.DIRECT.toString());
    }

    @Test
    void withRouteKeepsTheOriginAndReturnsTheSameKeyForTheSameRoute() {
        PoolKey key = new PoolKey("http", "h", 80);
        assertSame(key, key.withRoute(Route.DIRECT));
        PoolKey proxied = key.withRoute(Route.httpProxy("p", 8080));
        assertEquals(key.origin(), proxied.origin());
        assertNotEquals(key, proxied);
    }

    @Test
    void fieldsMustFitTheKind() {
        assertThrows(IllegalArgumentException.class, () -> new Route(Route.Kind.DIRECT, "h", 0, ""));
        assertThrows(IllegalArgumentException.class, () -> new Route(Route.Kind.HTTP_PROXY, "", 80, ""));
        assertThrows(IllegalArgumentException.class, () -> new Route(Route.Kind.HTTP_PROXY, "h", 0, ""));
        assertThrows(IllegalArgumentException.class, () -> new Route(Route.Kind.SOCKS_PROXY, "h", 1080, "/p"));
        assertThrows(IllegalArgumentException.class, () -> new Route(Route.Kind.UNIX_SOCKET, "", 0, ""));
        assertThrows(IllegalArgumentException.class, () -> Route.httpProxy("h", 0));
        assertThrows(IllegalArgumentException.class, () -> Route.socksProxy("h", 65536));
        assertThrows(NullPointerException.class, () -> new PoolKey("http", "h", 80, null));
        assertTrue(Route.httpProxy("h", 1).isProxy());
        assertTrue(Route.socksProxy("h", 1).isProxy());
        assertFalse(Route.unixSocket("/s").isProxy());
        assertFalse(Route.DIRECT.isProxy());
    }
}
