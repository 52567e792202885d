package io.keepwell.it.dns;

import io.keepwell.it.support.Poll;
import io.keepwell.netty.dns.HostResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.keepwell.it.dns.ResolverFixture.addresses;
import static io.keepwell.it.support.dns.TestDnsServer.a;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The resolver's cache: TTLs honoured within the min/max bounds, misses remembered for the negative TTL. */
class DnsCacheTest extends NameServerTestBase {

    private static final Duration WAIT = Duration.ofSeconds(6);

    @Override
    int loops() {
        return 2;
    }

    @Test
    void anAnswerIsServedFromTheCacheUntilItsTtlRunsOutThenAskedForAgain() throws Exception {
        server.set("ttl.test", a("127.0.0.2", 1));
        HostResolver resolver = fixture.resolver(server.address());

        long firstAsked = System.nanoTime();
        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "ttl.test"));
        int queries = server.queries("ttl.test");
        server.set("ttl.test", a("127.0.0.3", 1));
        List<InetAddress> again = fixture.resolve(resolver, "ttl.test");
        if (System.nanoTime() - firstAsked < Duration.ofMillis(900).toNanos()) { // still within the TTL
            assertEquals(addresses("127.0.0.2"), again, "from the cache");
            assertEquals(queries, server.queries("ttl.test"), "no query while the TTL lasts");
        }

        Poll.until(() -> fixture.resolve(resolver, "ttl.test"), addresses("127.0.0.3")::equals, WAIT, "the new answer");
        assertTrue(server.queries("ttl.test") > queries, "asked again after the TTL");
        assertTrue(System.nanoTime() - firstAsked >= Duration.ofSeconds(1).toNanos(), "not before the TTL ran out");
    }

    @Test
    void anAliasIsFollowedAndRememberedForItsOwnTtlSoTheTargetIsAskedForDirectly() throws Exception {
        server.alias("www.test", "origin.test", 300);
        server.set("origin.test", a("127.0.0.2", 1));
        HostResolver resolver = fixture.resolver(server.address());

        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "www.test"));
        int aliasQueries = server.queries("www.test");
        server.set("origin.test", a("127.0.0.3", 1));

        Poll.until(() -> fixture.resolve(resolver, "www.test"), addresses("127.0.0.3")::equals, WAIT,
                "the target's new address once its 1 s TTL ran out");
        assertEquals(aliasQueries, server.queries("www.test"), "the CNAME cache sent the lookups to the target");
        assertTrue(server.queries("origin.test") > 0);
    }

    @Test
    void theCacheIsSharedByAllEventLoops() throws Exception {
        server.set("shared.test", a("127.0.0.2", 300));
        HostResolver resolver = fixture.resolver(server.address());

        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "shared.test")); // group.next() alternates loops
        int queries = server.queries("shared.test");
        for (int i = 0; i < 4; i++) {
            assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "shared.test"));
        }
        assertEquals(queries, server.queries("shared.test"));
    }

    @Test
    void theMinimumKeepsAnAnswerWhoseTtlIsZero() throws Exception {
        server.set("zero.test", a("127.0.0.2", 0));
        HostResolver resolver = fixture.resolver(server.address(), Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ZERO);

        long firstAsked = System.nanoTime();
        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "zero.test"));
        int queries = server.queries("zero.test");
        server.set("zero.test", a("127.0.0.3", 0));
        List<InetAddress> again = fixture.resolve(resolver, "zero.test");
        if (System.nanoTime() - firstAsked < Duration.ofMillis(1800).toNanos()) {
            assertEquals(addresses("127.0.0.2"), again, "kept for the minimum despite TTL 0");
            assertEquals(queries, server.queries("zero.test"));
        }
        Poll.until(() -> fixture.resolve(resolver, "zero.test"), addresses("127.0.0.3")::equals, WAIT, "the new answer");
        assertTrue(System.nanoTime() - firstAsked >= Duration.ofSeconds(2).toNanos(), "not before the minimum ran out");
    }

    @Test
    void withoutAMinimumATtlOfZeroIsNotCached() throws Exception {
        server.set("zero.test", a("127.0.0.2", 0));
        HostResolver resolver = fixture.resolver(server.address());

        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "zero.test"));
        int queries = server.queries("zero.test");
        server.set("zero.test", a("127.0.0.3", 0));
        assertEquals(addresses("127.0.0.3"), fixture.resolve(resolver, "zero.test"));
        assertTrue(server.queries("zero.test") > queries);
    }

    @Test
    void theMaximumCutsALongTtl() throws Exception {
        server.set("long.test", a("127.0.0.2", 86_400));
        HostResolver resolver = fixture.resolver(server.address(), Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO);

        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "long.test"));
        server.set("long.test", a("127.0.0.3", 86_400));
        Poll.until(() -> fixture.resolve(resolver, "long.test"), addresses("127.0.0.3")::equals, WAIT,
                "the new answer after the 1 s maximum, not the day the record says");
    }

    @ParameterizedTest(name = "authoritative={0}")
    @ValueSource(booleans = {false, true})
    void aMissIsRememberedForTheNegativeTtl(boolean authoritative) throws Exception {
        server.authoritative(authoritative);
        HostResolver resolver = fixture.resolver(server.address(), Duration.ZERO, Duration.ofMinutes(5), Duration.ofMinutes(1));

        Throwable first = fixture.failure(resolver, "missing.test");
        assertInstanceOf(UnknownHostException.class, first);
        int queries = server.queries("missing.test");
        server.set("missing.test", a("127.0.0.2", 60));

        Throwable again = fixture.failure(resolver, "missing.test");
        assertInstanceOf(UnknownHostException.class, again, "the miss is cached");
        assertTrue(again.getMessage().contains("missing.test"), again.getMessage());
        assertEquals(queries, server.queries("missing.test"), "no query while the miss is remembered");
    }

    @ParameterizedTest(name = "authoritative={0}")
    @ValueSource(booleans = {false, true})
    void aNegativeTtlOfZeroRemembersNoMiss(boolean authoritative) throws Exception {
        server.authoritative(authoritative);
        HostResolver resolver = fixture.resolver(server.address(), Duration.ZERO, Duration.ofMinutes(5), Duration.ZERO);

        assertInstanceOf(UnknownHostException.class, fixture.failure(resolver, "missing.test"));
        server.set("missing.test", a("127.0.0.2", 60));

        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "missing.test"));
    }

    @Test
    void aRememberedMissIsForgottenWhenTheNegativeTtlRunsOut() throws Exception {
        HostResolver resolver = fixture.resolver(server.address(), Duration.ZERO, Duration.ofMinutes(5), Duration.ofSeconds(1));

        assertInstanceOf(UnknownHostException.class, fixture.failure(resolver, "missing.test"));
        server.set("missing.test", a("127.0.0.2", 60));

        Poll.until(() -> {
            try {
                return fixture.resolve(resolver, "missing.test");
            } catch (java.util.concurrent.ExecutionException e) {
                return List.<InetAddress>of();
            }
        }, addresses("127.0.0.2")::equals, WAIT, "the name once its miss expired");
    }

    @Test
    void aNameServerThatDoesNotAnswerIsNotRememberedAsAMiss() throws Exception {
        server.set("flaky.test", a("127.0.0.2", 60));
        server.silent(true);
        Path conf = fixture.resolvConf(ResolverFixture.nameserver(server.address()), "options timeout:1 attempts:1");
        HostResolver resolver = fixture.create(new io.keepwell.netty.dns.ResolverSettings(List.of(), conf, fixture.hosts(),
                Duration.ZERO, Duration.ofMinutes(5), Duration.ofMinutes(1)));

        assertInstanceOf(UnknownHostException.class, fixture.failure(resolver, "flaky.test"));
        server.silent(false);

        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "flaky.test"));
    }
}
