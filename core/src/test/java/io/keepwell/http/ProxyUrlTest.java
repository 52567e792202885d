package io.keepwell.http;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProxyUrl}: ports at and past their limits, the values that get {@code http://} put in
 * front, user info split and percent-decoded at its edges, and passwords kept out of every
 * message.
 */
class ProxyUrlTest {

    private static InetSocketAddress address(String value) {
        return (InetSocketAddress) ProxyUrl.parse("HTTP_PROXY", value).proxy().address();
    }

    private static PasswordAuthentication credentials(String value) {
        return ProxyUrl.parse("HTTP_PROXY", value).credentials();
    }

    private static IllegalArgumentException refused(String value) {
        return assertThrows(IllegalArgumentException.class, () -> ProxyUrl.parse("HTTP_PROXY", value));
    }

    @Test
    void portsFrom1To65535AndTheSchemesDefaults() {
        assertEquals(1, address("http://proxy.test:1").getPort());
        assertEquals(65535, address("http://proxy.test:65535").getPort());
        assertEquals(65535, address("proxy.test:65535").getPort());
        assertEquals(80, address("http://proxy.test").getPort());
        assertEquals(80, address("http://proxy.test:").getPort(), "an empty port is the default, as in Go");
        assertEquals(1080, address("socks5://proxy.test").getPort());
        assertEquals(1080, address("socks5h://proxy.test:1080").getPort());
        assertEquals(80, address("HTTP://proxy.test").getPort());
        assertEquals(Proxy.Type.SOCKS, ProxyUrl.parse("ALL_PROXY", "socks5://proxy.test:1").proxy().type());
        assertEquals(Proxy.Type.HTTP, ProxyUrl.parse("ALL_PROXY", "proxy.test:1").proxy().type());
    }

    @Test
    void portsOutsideTheRangeFailNamingTheVariable() {
        for (String value : new String[] {"http://u:s3cret@proxy.test:0", "http://u:s3cret@proxy.test:65536",
                "u:s3cret@proxy.test:65536", "socks5://u:s3cret@proxy.test:99999"}) {
            IllegalArgumentException e = refused(value);
            assertTrue(e.getMessage().contains("HTTP_PROXY") && e.getMessage().contains("port"), e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        }
        IllegalArgumentException huge = refused("http://proxy.test:99999999999");
        assertTrue(huge.getMessage().contains("HTTP_PROXY"), huge.getMessage());
    }

    @Test
    void hostsAreLowerCasedAndLeftUnresolved() {
        InetSocketAddress named = address("http://Proxy.TEST:3128");
        assertEquals("proxy.test", named.getHostString());
        assertTrue(named.isUnresolved());
        assertEquals("2001:db8::1", address("http://[2001:DB8::1]:3128").getHostString());
        assertEquals("192.0.2.1", address("192.0.2.1").getHostString());
        assertEquals(80, address("192.0.2.1").getPort());
    }

    @Test
    void valuesThatNameNoSchemeAreHttp() {
        assertEquals("proxy.test", address("proxy.test:3128").getHostString(), "'proxy.test:' is not a scheme");
        assertEquals("proxy.test", address("proxy.test").getHostString());
        assertEquals(3128, address("u:p@proxy.test:3128").getPort());
        assertEquals("u", credentials("u:p@proxy.test:3128").getUserName());
        assertTrue(refused("http:/proxy.test").getMessage().contains("host"), "a scheme without // is not given another");
        assertTrue(refused("http:proxy.test:1").getMessage().contains("host"));
        assertTrue(refused("proxy test").getMessage().contains("HTTP_PROXY"));
        assertTrue(refused("ftp://proxy.test").getMessage().contains("'ftp'"));
    }

    @Test
    void userInfoSplitsAtTheFirstColon() {
        assertNull(credentials("http://proxy.test:3128"));
        PasswordAuthentication noUser = credentials("http://:pw@proxy.test");
        assertEquals("", noUser.getUserName());
        assertArrayEquals("pw".toCharArray(), noUser.getPassword());
        PasswordAuthentication twoColons = credentials("http://u:p:w@proxy.test");
        assertEquals("u", twoColons.getUserName());
        assertArrayEquals("p:w".toCharArray(), twoColons.getPassword());
        PasswordAuthentication emptyPassword = credentials("http://u:@proxy.test");
        assertEquals("u", emptyPassword.getUserName());
        assertArrayEquals(new char[0], emptyPassword.getPassword());
        PasswordAuthentication userOnly = credentials("http://user@proxy.test");
        assertEquals("user", userOnly.getUserName());
        assertArrayEquals(new char[0], userOnly.getPassword());
    }

    @Test
    void percentEscapesDecodeAsUtf8AtEveryPosition() {
        assertEquals("Ab", credentials("http://%41b@proxy.test").getUserName(), "an escape first");
        assertEquals("bA", credentials("http://b%41@proxy.test").getUserName(), "an escape last");
        assertEquals("AB", credentials("http://%41%42@proxy.test").getUserName());
        assertEquals("0\n:", credentials("http://%30%0a%3A@proxy.test").getUserName(), "digits 0 in either place");
        assertEquals("\u00ff\u00e9", credentials("http://%C3%BF%c3%a9@proxy.test").getUserName());
        assertEquals("a+b", credentials("http://a+b@proxy.test").getUserName(), "+ is not a space");
        assertArrayEquals("\u20ac".toCharArray(), credentials("http://u:%E2%82%AC@proxy.test").getPassword());
    }

    @Test
    void anEscapedPercentIsDecodedOnce() {
        assertEquals("%41", credentials("http://%2541@proxy.test").getUserName());
        assertEquals("%g1", credentials("http://%25g1@proxy.test").getUserName());
        assertEquals("a%", credentials("http://a%25@proxy.test").getUserName());
        assertEquals("%", credentials("http://%25@proxy.test").getUserName());
    }

    @Test
    void redactedHidesEverythingBeforeTheLastAt() {
        assertEquals("http://***@proxy.test:3128", ProxyUrl.redacted("http://user:s3cret@proxy.test:3128"));
        assertEquals("http://***@proxy.test", ProxyUrl.redacted("http://user:s3@cr@t@proxy.test"));
        assertEquals("***@proxy.test", ProxyUrl.redacted("user:s3cret@proxy.test"));
        assertEquals("http://proxy.test", ProxyUrl.redacted("http://proxy.test"));
        assertEquals("***@proxy.test/x://y", ProxyUrl.redacted("user:s3cret@proxy.test/x://y"), ":// after the @ is no scheme");
        assertEquals("://***@proxy.test", ProxyUrl.redacted("://user:s3cret@proxy.test"));
        assertEquals("***@", ProxyUrl.redacted("s3cret@"));
        assertEquals("***@proxy.test", ProxyUrl.redacted("@proxy.test"), "an empty user info is masked too");
    }

    @Test
    void refusedValuesNeverShowThePassword() {
        for (String value : new String[] {"http://user:s3@cr@t@proxy.test", "https://user:s3cret@proxy.test",
                "ftp://user:s3cret@proxy.test", "http://user:s3cret@", "user:s3cret@proxy test"}) {
            IllegalArgumentException e = refused(value);
            assertTrue(e.getMessage().contains("HTTP_PROXY"), e.getMessage());
            assertFalse(e.getMessage().contains("s3") || e.getMessage().contains("cr"), e.getMessage());
        }
    }
}
