package io.keepwell.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NoProxyList} at its edges: CIDR prefixes of 0, of the full length and one more, masks
 * that cut a byte, prefixes with leading zeros (which Go's {@code ParseCIDR} takes), IPv4-mapped
 * ranges on either side of /96, ports on address entries, Go's {@code SplitHostPort} on malformed
 * entries, names IDNA refuses, and how lists add up.
 */
class NoProxyListTest {

    /** Whether {@code list} bypasses {@code host} (as a URI gives it, lower-cased) on {@code port}. */
    private static boolean bypasses(String list, String host, String port) {
        return NoProxyList.parse(list).bypasses(host, port, IpLiteral.parse(host));
    }

    @ParameterizedTest(name = "{0} for {1}:{2}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
        # a zero prefix is the whole family
        0.0.0.0/0                  | 203.0.113.9       | 80 | true
        192.0.2.1/0                | 255.255.255.255   | 80 | true
        0.0.0.0/0                  | 2001:db8::1       | 80 | false
        0.0.0.0/0                  | example.test      | 80 | false
        ::/0                       | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | 80 | true
        ::/0                       | 203.0.113.9       | 80 | false
        # a full prefix is one address; one more is no range (then a name, which matches no address)
        192.0.2.1/32               | 192.0.2.1         | 80 | true
        192.0.2.1/32               | 192.0.2.0         | 80 | false
        192.0.2.1/32               | 192.0.2.3         | 80 | false
        192.0.2.1/33               | 192.0.2.1         | 80 | false
        2001:db8::1/128            | 2001:db8::1       | 80 | true
        2001:db8::1/128            | 2001:db8::        | 80 | false
        2001:db8::1/129            | 2001:db8::1       | 80 | false
        2001:db8::100/120          | 2001:db8::1ff     | 80 | true
        2001:db8::100/120          | 2001:db8::200     | 80 | false
        # masks that cut a byte compare only their bits
        192.0.2.128/25             | 192.0.2.255       | 80 | true
        192.0.2.128/25             | 192.0.2.127       | 80 | false
        192.0.2.0/31               | 192.0.2.1         | 80 | true
        192.0.2.0/31               | 192.0.2.2         | 80 | false
        10.128.0.0/9               | 10.255.1.2        | 80 | true
        10.128.0.0/9               | 10.127.1.2        | 80 | false
        10.0.0.0/1                 | 127.0.0.1         | 80 | true
        10.0.0.0/1                 | 128.0.0.1         | 80 | false
        2001:db8:8000::/33         | 2001:db8:ffff::1  | 80 | true
        2001:db8:8000::/33         | 2001:db8:7fff::1  | 80 | false
        2001:db8::/127             | 2001:db8::1       | 80 | true
        2001:db8::/127             | 2001:db8::2       | 80 | false
        # prefixes are decimal digits, leading zeros allowed as in Go's ParseCIDR
        192.0.2.0/024              | 192.0.2.1         | 80 | true
        192.0.2.0/0024             | 192.0.2.1         | 80 | true
        192.0.2.0/0024             | 192.0.3.1         | 80 | false
        2001:db8::/00000000000000000000032 | 2001:db8:1::1 | 80 | true
        2001:db8::/00000000000000000000032 | 2001:db9::1   | 80 | false
        192.0.2.0/0033             | 192.0.2.1         | 80 | false
        192.0.2.0/                 | 192.0.2.1         | 80 | false
        192.0.2.0/+24              | 192.0.2.1         | 80 | false
        192.0.2.0/-0               | 192.0.2.1         | 80 | false
        192.0.2.0/2x               | 192.0.2.1         | 80 | false
        192.0.2.0/24/24            | 192.0.2.1         | 80 | false
        192.0.2.0/99999999999      | 192.0.2.1         | 80 | false
        192.0.2.01/24              | 192.0.2.1         | 80 | false
        /24                        | 192.0.2.1         | 80 | false
        # IPv4-mapped ranges from /96 are IPv4 ranges, as Go's Contains treats them; below, IPv6 only
        ::ffff:0.0.0.0/96          | 203.0.113.9       | 80 | true
        ::ffff:192.0.2.0/120       | 192.0.2.200       | 80 | true
        ::ffff:192.0.2.0/120       | 192.0.3.1         | 80 | false
        0:0:0:0:0:ffff:192.0.2.0/120 | 192.0.2.9       | 80 | true
        ::ffff:c000:200/120        | 192.0.2.9         | 80 | true
        ::ffff:192.0.2.7/128       | 192.0.2.7         | 80 | true
        ::ffff:192.0.2.7/128       | 192.0.2.6         | 80 | false
        ::ffff:192.0.2.7/129       | 192.0.2.7         | 80 | false
        ::ffff:0.0.0.0/95          | 203.0.113.9       | 80 | false
        ::ffff:0.0.0.0/64          | ::1               | 80 | true
        ::192.0.2.0/120            | 192.0.2.9         | 80 | false
        ::192.0.2.0/120            | ::192.0.2.9       | 80 | true
        # addresses, with a port: that port only
        192.0.2.1:8080             | 192.0.2.1         | 8080  | true
        192.0.2.1:8080             | 192.0.2.1         | 80    | false
        192.0.2.1                  | 192.0.2.1         | 1     | true
        192.0.2.1                  | 192.0.2.1         | 65535 | true
        [2001:db8::1]:443          | 2001:db8::1       | 443   | true
        [2001:db8::1]:443          | 2001:db8::1       | 80    | false
        192.0.2.1                  | 192.0.2.2         | 80    | false
        192.0.2.1                  | 2001:db8::1       | 80    | false
        192.0.2.1                  | 192.0.2.1.example | 80    | false
        # names: themselves and below, on label boundaries, never addresses
        example.test               | example.test      | 80   | true
        *.example.test             | a.example.test    | 80   | true
        *.example.test             | example.test      | 80   | false
        .example.test              | example.test      | 80   | false
        example.test               | xexample.test     | 80   | false
        example.test               | example.tes       | 80   | false
        example.test:8080          | www.example.test  | 8080 | true
        example.test:8080          | www.example.test  | 80   | false
        example.test:0             | example.test      | 0    | true
        example.test:0             | example.test      | 80   | false
        2.1                        | 192.0.2.1         | 80   | false
        # brackets and empty hosts
        []:80                      | example.test      | 80 | false
        :80                        | ''                | 80 | false
        []:80                      | ''                | 80 | false
        [::1]:80                   | ::1               | 80 | true
        [::1]                      | ::1               | 80 | false
        [example.test]:80          | example.test      | 80 | true
        # IDNA
        b\u00fccher.test           | xn--bcher-kva.test     | 80 | true
        B\u00dcCHER.test           | www.xn--bcher-kva.test | 80 | true
        \u00fc                     | xn--tda                | 80 | true
        \u00fc                     | www.xn--tda            | 80 | true
        """)
    void bypassesAsGo(String list, String host, String port, boolean bypassed) {
        assertEquals(bypassed, bypasses(list, host, port));
    }

    @Test
    void aNameEntryMatchesTheSameTextOnlyAsAName() {
        assertTrue(NoProxyList.parse("2.1").bypasses("192.0.2.1", "80", null));
        assertFalse(NoProxyList.parse("2.1").bypasses("192.0.2.1", "80", IpLiteral.parse("192.0.2.1")));
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @CsvSource({
        "a.test:80, a.test, 80", "'a.test:', a.test, ''", "':80', '', 80", "'[::1]:80', ::1, 80", "'[a]:1', a, 1",
    })
    void splitHostPortSplitsAsGo(String text, String host, String port) {
        assertArrayEquals(new String[] {host, port}, NoProxyList.splitHostPort(text));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "a.test", "::1", "a:b:80", "[::1]", "[::1]x:80", "[::1:80", "[[::1]:80", "a[b:80", "a]b:80", "a:8[0", "a:80]",
        "[a]:8[0", "[a]:80]", "]a:80", "::80", ":a:80", "a:[80", "a:]80", "[a]:[80", "[a]:]80",
    })
    void splitHostPortRefusesAsGo(String text) {
        assertNull(NoProxyList.splitHostPort(text));
    }

    @Test
    void namesIdnaRefusesAreKeptAsWritten() {
        String tooLong = "\u00fc" + "a".repeat(70) + ".test"; // a label longer than 63: IDNA refuses it
        assertTrue(bypasses(tooLong, tooLong, "80"));
        assertTrue(bypasses(tooLong, "www." + tooLong, "80"));
        assertFalse(bypasses(tooLong, "a.test.", "80"));
        assertFalse(bypasses(tooLong, "", "80"));
    }

    @Test
    void listsAddUpAndStarWins() {
        assertTrue(NoProxyList.EMPTY.isEmpty());
        assertTrue(NoProxyList.parse(" , ,").isEmpty());
        assertFalse(NoProxyList.parse(":80").isEmpty(), "an unreadable entry is still written");
        assertEquals("", NoProxyList.EMPTY.toString());

        NoProxyList a = NoProxyList.parse("a.test");
        assertSame(a, NoProxyList.EMPTY.and(a));
        assertSame(a, a.and(NoProxyList.EMPTY));
        assertEquals(":80,a.test", NoProxyList.parse(":80").and(a).toString());
        assertEquals("a.test,:80", a.and(NoProxyList.parse(":80")).toString());
        assertEquals("a.test,b.test", a.and(NoProxyList.parse(" B.test ")).toString());

        NoProxyList star = NoProxyList.parse("x.test, *, y.test");
        assertEquals("*", star.toString());
        assertEquals("*", a.and(star).toString());
        assertEquals("*", star.and(a).toString());
        assertTrue(a.and(star).bypasses("z.test", "80", null));
        assertTrue(star.and(a).bypasses("z.test", "80", null));

        NoProxyList both = a.and(NoProxyList.parse("192.0.2.0/24"));
        assertTrue(both.bypasses("a.test", "80", null));
        assertTrue(both.bypasses("192.0.2.1", "80", IpLiteral.parse("192.0.2.1")));
        assertFalse(both.bypasses("b.test", "80", null));
    }
}
