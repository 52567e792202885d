package io.keepwell.http;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProxyRules}: which proxy each URI gets, the bypass list read as Go's {@code httpproxy},
 * the environment's variables and their variants, and the credentials of proxy URLs. Names and
 * addresses here are only matched as text, never looked up or connected to.
 */
class ProxyRulesTest {

    private static final InetSocketAddress HTTP = InetSocketAddress.createUnresolved("proxy.test", 3128);
    private static final InetSocketAddress HTTPS = InetSocketAddress.createUnresolved("tunnel.test", 3129);
    private static final InetSocketAddress SOCKS = InetSocketAddress.createUnresolved("socks.test", 1080);

    private static Proxy select(ProxyRules rules, String uri) {
        List<Proxy> chosen = rules.select(URI.create(uri));
        assertEquals(1, chosen.size(), "one proxy, or NO_PROXY, for " + uri);
        return chosen.get(0);
    }

    private static boolean bypassed(String noProxy, String uri) {
        return select(ProxyRules.builder().http(HTTP).https(HTTPS).noProxy(noProxy).build(), uri) == Proxy.NO_PROXY;
    }

    @Test
    void eachSchemeGetsItsProxyAndSocksTakesTheSchemesWithout() {
        ProxyRules both = ProxyRules.builder().http(HTTP).https(HTTPS).socks(SOCKS).build();
        assertEquals(new Proxy(Proxy.Type.HTTP, HTTP), select(both, "http://a.test/x"));
        assertEquals(new Proxy(Proxy.Type.HTTP, HTTPS), select(both, "https://a.test/x"));

        ProxyRules httpAndSocks = ProxyRules.builder().http(HTTP).socks(SOCKS).build();
        assertEquals(new Proxy(Proxy.Type.HTTP, HTTP), select(httpAndSocks, "http://a.test/"));
        assertEquals(new Proxy(Proxy.Type.SOCKS, SOCKS), select(httpAndSocks, "https://a.test/"));

        ProxyRules httpOnly = ProxyRules.builder().http(HTTP).build();
        assertEquals(Proxy.NO_PROXY, select(httpOnly, "https://a.test/"));
        assertEquals(Proxy.NO_PROXY, select(httpOnly, "ws://a.test/"), "other schemes go direct");
        assertEquals(Proxy.NO_PROXY, select(ProxyRules.builder().build(), "http://a.test/"));
        assertEquals(new Proxy(Proxy.Type.HTTP, HTTP), select(httpOnly, "HTTP://A.TEST/"), "scheme case ignored");
    }

    @Test
    void selectRefusesNullAndConnectFailedChangesNothing() {
        ProxyRules rules = ProxyRules.builder().http(HTTP).build();
        assertThrows(IllegalArgumentException.class, () -> rules.select(null));
        rules.connectFailed(URI.create("http://a.test/"), HTTP, new java.io.IOException("refused"));
        assertEquals(new Proxy(Proxy.Type.HTTP, HTTP), select(rules, "http://a.test/"));
    }

    @Test
    void theBuilderProxiesLoopbackUnlessTheListSaysSo() {
        assertFalse(bypassed("", "http://localhost:8080/"));
        assertFalse(bypassed("", "http://127.0.0.1/"));
        assertFalse(bypassed("", "http://[::1]/"));
        assertTrue(bypassed("localhost,127.0.0.0/8,::1", "http://localhost:8080/"));
        assertTrue(bypassed("localhost,127.0.0.0/8,::1", "http://127.3.4.5/"));
        assertTrue(bypassed("localhost,127.0.0.0/8,::1", "http://[::1]:9/"));
    }

    @Test
    void domainEntriesMatchAsGosDo() {
        // "example.test" matches itself and its subdomains
        assertTrue(bypassed("example.test", "http://example.test/"));
        assertTrue(bypassed("example.test", "http://a.b.example.test/"));
        assertFalse(bypassed("example.test", "http://badexample.test/"), "a suffix that is not a label boundary");
        assertFalse(bypassed("example.test", "http://example.test.evil/"));
        // ".example.test" and "*.example.test" match subdomains only
        assertTrue(bypassed(".example.test", "http://a.example.test/"));
        assertFalse(bypassed(".example.test", "http://example.test/"));
        assertTrue(bypassed("*.example.test", "https://a.example.test/"));
        assertFalse(bypassed("*.example.test", "https://example.test/"));
        // case and spaces
        assertTrue(bypassed("  Example.TEST ", "http://A.EXAMPLE.test/"));
        // a domain entry never matches an IP literal
        assertFalse(bypassed("0.2.1", "http://192.0.2.1/"));
    }

    @Test
    void portsRestrictEntriesAndTheDefaultPortCounts() {
        assertTrue(bypassed("example.test:8080", "http://example.test:8080/"));
        assertFalse(bypassed("example.test:8080", "http://example.test/"));
        assertTrue(bypassed("example.test:80", "http://example.test/"), "http's default port");
        assertTrue(bypassed("example.test:443", "https://example.test/"), "https's default port");
        assertFalse(bypassed("example.test:443", "http://example.test/"));
        assertTrue(bypassed("192.0.2.1:8080", "http://192.0.2.1:8080/"));
        assertFalse(bypassed("192.0.2.1:8080", "http://192.0.2.1:8081/"));
        assertTrue(bypassed("[2001:db8::1]:8080", "http://[2001:db8::1]:8080/"));
        assertFalse(bypassed("[2001:db8::1]:8080", "http://[2001:db8::1]/"));
        assertTrue(bypassed("example.test:", "http://example.test:1234/"), "an empty port is any port, as in Go");
    }

    @Test
    void addressesAndRangesMatchAddressLiterals() {
        assertTrue(bypassed("192.0.2.1", "http://192.0.2.1/"));
        assertFalse(bypassed("192.0.2.1", "http://192.0.2.10/"));
        assertTrue(bypassed("192.0.2.0/24", "http://192.0.2.200:81/"));
        assertFalse(bypassed("192.0.2.0/24", "http://192.0.3.1/"));
        assertTrue(bypassed("192.0.2.77/28", "http://192.0.2.79/"), "the range's address is masked to its network");
        assertFalse(bypassed("192.0.2.77/28", "http://192.0.2.80/"));
        assertTrue(bypassed("2001:db8::/32", "http://[2001:db8:ffff::9]/"));
        assertFalse(bypassed("2001:db8::/32", "http://[2001:db9::1]/"));
        assertTrue(bypassed("2001:DB8::1", "http://[2001:db8:0:0:0:0:0:1]/"), "IPv6 compared as addresses, not text");
        assertTrue(bypassed("::ffff:192.0.2.0/120", "http://192.0.2.5/"), "an IPv4-mapped range is an IPv4 range");
        assertTrue(bypassed("192.0.2.5", "http://[::ffff:192.0.2.5]/"), "an IPv4-mapped address is the IPv4 address");
        assertFalse(bypassed("192.0.2.0/24", "http://[2001:db8::1]/"), "families do not mix");
        assertFalse(bypassed("192.0.2.0/24", "http://a.example.test/"), "names are never resolved to match ranges");
        assertFalse(bypassed("0/8", "http://0.1.2.3/"), "not a CIDR range: read as a name");
        assertFalse(bypassed("192.0.2.01", "http://192.0.2.1/"), "leading zeros: not an address (Go 1.17+)");
    }

    @Test
    void starBypassesEverythingAndUnreadableEntriesAreIgnored() {
        assertTrue(bypassed("*", "http://anything.test/"));
        assertTrue(bypassed("a.test, *", "https://192.0.2.1/"));
        assertTrue(bypassed(":80,[::1,,  , b.test", "http://b.test/"), "bad entries skipped, the rest read");
        assertFalse(bypassed(":80", "http://b.test/"));
        assertFalse(bypassed("*.", "http://b.test/"));
    }

    @Test
    void noProxyCallsAddUpAndTakeLists() {
        ProxyRules rules = ProxyRules.builder().http(HTTP).noProxy("a.test").noProxy(List.of("b.test", "192.0.2.0/24")).build();
        assertEquals(Proxy.NO_PROXY, select(rules, "http://x.a.test/"));
        assertEquals(Proxy.NO_PROXY, select(rules, "http://b.test/"));
        assertEquals(Proxy.NO_PROXY, select(rules, "http://192.0.2.9/"));
        assertEquals(new Proxy(Proxy.Type.HTTP, HTTP), select(rules, "http://c.test/"));
    }

    @Test
    void nonAsciiEntriesMatchTheirPunycode() {
        assertTrue(bypassed("bücher.test", "http://www.xn--bcher-kva.test/"));
    }

    // --- the environment ---

    @Test
    void upperCaseWinsThenLowerCaseAndEmptyCountsAsUnset() {
        ProxyRules upper = ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "http://up.test:1", "http_proxy", "http://low.test:2"));
        assertEquals(proxy(Proxy.Type.HTTP, "up.test", 1), select(upper, "http://a.test/"));
        ProxyRules lower = ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "", "http_proxy", "http://low.test:2"));
        assertEquals(proxy(Proxy.Type.HTTP, "low.test", 2), select(lower, "http://a.test/"));
        ProxyRules https = ProxyRules.fromEnvironment(Map.of("https_proxy", "low.test:3", "no_proxy", "b.test"));
        assertEquals(proxy(Proxy.Type.HTTP, "low.test", 3), select(https, "https://a.test/"));
        assertEquals(Proxy.NO_PROXY, select(https, "https://b.test/"));
        assertEquals(Proxy.NO_PROXY, select(https, "http://a.test/"), "HTTPS_PROXY is for https only");
        ProxyRules none = ProxyRules.fromEnvironment(Map.of());
        assertEquals(Proxy.NO_PROXY, select(none, "http://a.test/"));
        assertEquals(Proxy.NO_PROXY, select(none, "https://a.test/"));
    }

    @Test
    void fromEnvironmentReadsThisProcesssVariables() {
        String expected;
        try {
            expected = ProxyRules.fromEnvironment(System.getenv()).toString();
        } catch (IllegalArgumentException unusable) {
            assertThrows(IllegalArgumentException.class, ProxyRules::fromEnvironment);
            return;
        }
        assertEquals(expected, ProxyRules.fromEnvironment().toString());
    }

    @Test
    void valuesWithoutSchemeAreHttpAndDefaultPortsApply() {
        assertEquals(proxy(Proxy.Type.HTTP, "proxy.test", 3128), envProxy("proxy.test:3128"));
        assertEquals(proxy(Proxy.Type.HTTP, "proxy.test", 80), envProxy("proxy.test"));
        assertEquals(proxy(Proxy.Type.HTTP, "proxy.test", 80), envProxy("http://proxy.test/"));
        assertEquals(proxy(Proxy.Type.HTTP, "192.0.2.1", 3128), envProxy("192.0.2.1:3128"));
        assertEquals(proxy(Proxy.Type.HTTP, "2001:db8::1", 3128), envProxy("[2001:db8::1]:3128"));
        assertEquals(proxy(Proxy.Type.SOCKS, "socks.test", 1080), envProxy("socks5://socks.test"));
        assertEquals(proxy(Proxy.Type.SOCKS, "socks.test", 9050), envProxy("SOCKS5H://socks.test:9050"));
        InetSocketAddress address = (InetSocketAddress) envProxy("proxy.test:3128").address();
        assertTrue(address.isUnresolved(), "the proxy's name is not looked up here");
    }

    private static Proxy envProxy(String value) {
        return select(ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", value)), "http://a.test/");
    }

    private static Proxy proxy(Proxy.Type type, String host, int port) {
        return new Proxy(type, InetSocketAddress.createUnresolved(host, port));
    }

    @Test
    void unusableProxyUrlsFailNamingTheVariableButNotThePassword() {
        IllegalArgumentException https = assertThrows(IllegalArgumentException.class,
                () -> ProxyRules.fromEnvironment(Map.of("HTTPS_PROXY", "https://user:s3cret@proxy.test:443")));
        assertTrue(https.getMessage().contains("HTTPS_PROXY") && https.getMessage().contains("https://"), https.getMessage());
        assertFalse(https.getMessage().contains("s3cret"), https.getMessage());
        IllegalArgumentException socks4 = assertThrows(IllegalArgumentException.class,
                () -> ProxyRules.fromEnvironment(Map.of("http_proxy", "socks4://proxy.test:1080")));
        assertTrue(socks4.getMessage().contains("HTTP_PROXY") && socks4.getMessage().contains("socks4"), socks4.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "http://")));
        assertThrows(IllegalArgumentException.class, () -> ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "http://under_score:1")));
    }

    @Test
    void theEnvironmentNeverProxiesLocalhostOrLoopbackAsGo() {
        ProxyRules rules = ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "proxy.test:3128", "HTTPS_PROXY", "proxy.test:3128"));
        assertEquals(Proxy.NO_PROXY, select(rules, "http://localhost:8080/"));
        assertEquals(Proxy.NO_PROXY, select(rules, "https://LOCALHOST/"));
        assertEquals(Proxy.NO_PROXY, select(rules, "http://127.0.0.1/"));
        assertEquals(Proxy.NO_PROXY, select(rules, "http://127.255.0.9:1/"));
        assertEquals(Proxy.NO_PROXY, select(rules, "http://[::1]:8080/"));
        assertEquals(Proxy.NO_PROXY, select(rules, "http://[::ffff:127.0.0.1]/"));
        assertEquals(proxy(Proxy.Type.HTTP, "proxy.test", 3128), select(rules, "http://localhost.test/"));
        assertEquals(proxy(Proxy.Type.HTTP, "proxy.test", 3128), select(rules, "http://128.0.0.1/"));
        assertTrue(rules.toString().contains("loopback"), rules.toString());
    }

    @Test
    void aCgiProcessRefusesHttpProxyForHttpOnly() {
        ProxyRules rules = ProxyRules.fromEnvironment(Map.of("REQUEST_METHOD", "GET",
                "HTTP_PROXY", "http://evil.test:3128", "HTTPS_PROXY", "http://proxy.test:3128"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> rules.select(URI.create("http://a.test/")));
        assertTrue(refused.getMessage().contains("CGI"), refused.getMessage());
        assertEquals(proxy(Proxy.Type.HTTP, "proxy.test", 3128), select(rules, "https://a.test/"));
        ProxyRules emptyMethod = ProxyRules.fromEnvironment(Map.of("REQUEST_METHOD", "", "HTTP_PROXY", "http://p.test:1"));
        assertEquals(proxy(Proxy.Type.HTTP, "p.test", 1), select(emptyMethod, "http://a.test/"));
    }

    @Test
    void credentialsComeFromTheUrlPercentDecodedAndNeverShow() {
        ProxyRules rules = ProxyRules.fromEnvironment(Map.of(
                "HTTP_PROXY", "http://al%40ice:p%3Ass+w%C3%B6rd@Proxy.Test:3128",
                "HTTPS_PROXY", "socks5://bob@socks.test"));
        PasswordAuthentication alice = rules.credentials(InetSocketAddress.createUnresolved("proxy.test", 3128)).orElseThrow();
        assertEquals("al@ice", alice.getUserName());
        assertArrayEquals("p:ss+wörd".toCharArray(), alice.getPassword());
        PasswordAuthentication bob = rules.credentials(InetSocketAddress.createUnresolved("socks.test", 1080)).orElseThrow();
        assertEquals("bob", bob.getUserName());
        assertArrayEquals(new char[0], bob.getPassword());
        assertTrue(rules.credentials(InetSocketAddress.createUnresolved("proxy.test", 3129)).isEmpty(), "another port");
        assertTrue(rules.credentials(InetSocketAddress.createUnresolved("other.test", 3128)).isEmpty());

        alice.getPassword()[0] = 'X';
        assertArrayEquals("p:ss+wörd".toCharArray(),
                rules.credentials(InetSocketAddress.createUnresolved("proxy.test", 3128)).orElseThrow().getPassword(),
                "each caller gets its own copy");
        String shown = rules.toString();
        assertTrue(shown.contains("http://proxy.test:3128 (with credentials)"), shown);
        assertFalse(shown.contains("ss") || shown.contains("ice") || shown.contains("bob"), shown);
    }

    @Test
    void builderRulesHaveNoCredentials() {
        assertTrue(ProxyRules.builder().http(HTTP).build().credentials(HTTP).isEmpty());
    }

    @Test
    void toStringListsTheRules() {
        String shown = ProxyRules.builder().http(HTTP).socks(SOCKS).noProxy(" A.test , 192.0.2.0/24").build().toString();
        assertEquals("ProxyRules[http=http://proxy.test:3128, https=none, socks=socks5://socks.test:1080,"
                + " noProxy=a.test,192.0.2.0/24]", shown);
    }

    @Test
    void urisWithoutSchemeOrHostGoDirectOrMatchNothing() {
        ProxyRules rules = ProxyRules.builder().http(HTTP).https(HTTPS).noProxy("a.test").build();
        assertEquals(Proxy.NO_PROXY, select(rules, "//a.test/"), "no scheme");
        assertEquals(Proxy.NO_PROXY, select(rules, "a.test/x"));
        assertEquals(new Proxy(Proxy.Type.HTTP, HTTP), select(rules, "http:/x"), "no host: proxied, nothing to bypass");
        ProxyRules env = ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "proxy.test:3128"));
        assertEquals(proxy(Proxy.Type.HTTP, "proxy.test", 3128), select(env, "http:/x"));
    }

    @Test
    void zonedIpv6HostsMatchAsTheirAddress() {
        assertTrue(bypassed("fe80::1", "http://[fe80::1%25eth0]/"));
        assertTrue(bypassed("fe80::/10", "http://[fe80::1%25eth0]:8080/"));
        assertFalse(bypassed("fe80::2", "http://[fe80::1%25eth0]/"));
        ProxyRules env = ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "proxy.test:3128"));
        assertEquals(Proxy.NO_PROXY, select(env, "http://[::1%25lo]/"));
    }

    @Test
    void theEnvironmentsLoopbackRuleCoversTheWholeRangeOnly() {
        ProxyRules rules = ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "proxy.test:3128"));
        Proxy proxied = proxy(Proxy.Type.HTTP, "proxy.test", 3128);
        assertEquals(Proxy.NO_PROXY, select(rules, "http://127.255.255.255/"));
        assertEquals(Proxy.NO_PROXY, select(rules, "http://127.0.0.0/"));
        assertEquals(proxied, select(rules, "http://126.255.255.255/"));
        assertEquals(proxied, select(rules, "http://[::2]/"));
        assertEquals(proxied, select(rules, "http://[::127.0.0.1]/"));
        assertEquals(proxied, select(rules, "http://localhost6/"));
        assertEquals(proxied, select(rules, "http://sub.localhost/"), "only the name localhost itself, as Go");
    }

    @Test
    void aCgiProcessWithoutHttpProxyGoesDirectForHttp() {
        ProxyRules rules = ProxyRules.fromEnvironment(Map.of("REQUEST_METHOD", "POST", "HTTPS_PROXY", "http://proxy.test:3128"));
        assertEquals(Proxy.NO_PROXY, select(rules, "http://a.test/"));
        assertEquals(proxy(Proxy.Type.HTTP, "proxy.test", 3128), select(rules, "https://a.test/"));
        assertFalse(rules.toString().contains("CGI"), rules.toString());
        ProxyRules refusing = ProxyRules.fromEnvironment(Map.of("REQUEST_METHOD", "GET", "HTTP_PROXY", "http://p.test:1"));
        assertTrue(refusing.toString().endsWith(", HTTP_PROXY refused (CGI)]"), refusing.toString());
        assertFalse(ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "http://p.test:1")).toString().contains("CGI"));
    }

    @Test
    void credentialsNeedTheHostAndThePortAndComeFromEitherVariable() {
        ProxyRules rules = ProxyRules.fromEnvironment(Map.of(
                "HTTP_PROXY", "http://proxy.test:3128", "HTTPS_PROXY", "http://carol:c@tunnel.test:3129"));
        assertTrue(rules.credentials(InetSocketAddress.createUnresolved("proxy.test", 3128)).isEmpty(), "a URL without user info");
        assertEquals("carol", rules.credentials(InetSocketAddress.createUnresolved("TUNNEL.test", 3129)).orElseThrow().getUserName());
        assertTrue(rules.credentials(InetSocketAddress.createUnresolved("tunnel.test", 3128)).isEmpty());
        assertTrue(rules.credentials(InetSocketAddress.createUnresolved("proxy.test", 3129)).isEmpty());
        assertThrows(NullPointerException.class, () -> rules.credentials(null));
        assertEquals("ProxyRules[http=http://proxy.test:3128, https=http://tunnel.test:3129 (with credentials), socks=none,"
                + " noProxy=none, localhost and loopback direct]", rules.toString());
    }

    @Test
    void toStringBracketsIpv6AndSaysNoneForAnEmptyList() {
        String shown = ProxyRules.builder().https(InetSocketAddress.createUnresolved("::1", 3128)).build().toString();
        assertEquals("ProxyRules[http=none, https=http://[::1]:3128, socks=none, noProxy=none]", shown);
        assertEquals("ProxyRules[http=none, https=none, socks=none, noProxy=:80]",
                ProxyRules.builder().noProxy(":80").build().toString(), "an unreadable entry is still shown");
        assertEquals("ProxyRules[http=socks5://[2001:db8::1]:1080, https=none, socks=none, noProxy=none, localhost and loopback direct]",
                ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "socks5://[2001:db8::1]")).toString());
    }
}
