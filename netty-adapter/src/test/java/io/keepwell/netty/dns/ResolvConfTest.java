package io.keepwell.netty.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResolvConfTest {

    private static InetSocketAddress server(String literal, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(io.netty.util.NetUtil.createByteArrayFromIpAddressString(literal)), port);
    }

    @Test
    void glibcDefaultsWhenTheFileSaysNothing() {
        ResolvConf conf = ResolvConf.parse(List.of("# nothing"), null);

        assertEquals(List.of(), conf.nameServers());
        assertEquals(1, conf.ndots());
        assertEquals(5, conf.timeoutSeconds());
        assertEquals(2, conf.attempts());
        assertFalse(conf.rotate());
        assertEquals(List.of(), conf.searchDomains());
    }

    @Test
    void nameServersOptionsAndSearchList() throws Exception {
        ResolvConf conf = ResolvConf.parse(List.of(
                "nameserver 127.0.0.53  # the stub",
                "nameserver ::1",
                "\tnameserver\t127.0.0.2.5353",
                "search a.test b.test",
                "options timeout:1 attempts:3 ndots:4 rotate",
                "sortlist 130.155.160.0/255.255.240.0"), null);

        assertEquals(List.of(server("127.0.0.53", 53), server("::1", 53), server("127.0.0.2", 5353)), conf.nameServers());
        assertEquals(4, conf.ndots());
        assertEquals(1, conf.timeoutSeconds());
        assertEquals(3, conf.attempts());
        assertTrue(conf.rotate());
        assertEquals(List.of("a.test", "b.test"), conf.searchDomains());
    }

    @Test
    void atMostThreeServersAndNamesAreNotServers() throws Exception {
        ResolvConf conf = ResolvConf.parse(List.of("nameserver dns.example", "nameserver 127.0.0.1", "nameserver 127.0.0.2",
                "nameserver 127.0.0.3", "nameserver 127.0.0.4", "nameserver 127.0.0.5.99999"), null);

        assertEquals(List.of(server("127.0.0.1", 53), server("127.0.0.2", 53), server("127.0.0.3", 53)), conf.nameServers());
    }

    @Test
    void theLastSearchOrDomainLineWins() {
        assertEquals(List.of("corp.test"), ResolvConf.parse(List.of("search a.test", "domain corp.test"), null).searchDomains());
        assertEquals(List.of("a.test"), ResolvConf.parse(List.of("domain corp.test", "search a.test"), null).searchDomains());
    }

    @Test
    void optionsAreBoundedAsGlibcBoundsThemAndBadValuesIgnored() {
        ResolvConf conf = ResolvConf.parse(List.of("options ndots:99 timeout:600 attempts:50", "options ndots:x timeout:"), null);

        assertEquals(15, conf.ndots());
        assertEquals(30, conf.timeoutSeconds());
        assertEquals(5, conf.attempts());
        assertEquals(1, ResolvConf.parse(List.of("options timeout:0 attempts:0"), null).timeoutSeconds());
    }

    @Test
    void resOptionsAmendsTheFile() {
        ResolvConf conf = ResolvConf.parse(List.of("options timeout:1 ndots:2"), "ndots:3 attempts:1");

        assertEquals(3, conf.ndots());
        assertEquals(1, conf.timeoutSeconds());
        assertEquals(1, conf.attempts());
    }

    @Test
    void aMissingFileNamesNoServer(@TempDir Path dir) {
        assertEquals(List.of(), ResolvConf.read(dir.resolve("absent")).nameServers());
    }

    @Test
    void explicitServersGetGlibcDefaults() throws Exception {
        ResolvConf conf = ResolvConf.of(List.of(server("127.0.0.1", 5300)));

        assertEquals(List.of(server("127.0.0.1", 5300)), conf.nameServers());
        assertEquals(5, conf.timeoutSeconds());
        assertEquals(2, conf.attempts());
        assertEquals(List.of(), conf.searchDomains());
    }

    @Test
    void ttlBoundsRoundPartSecondsUp() {
        ResolverSettings settings = ResolverSettings.defaults()
                .withTtl(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(1500)).withNegativeTtl(java.time.Duration.ZERO);

        assertEquals(new TtlBounds(1, 2, 0), TtlBounds.of(settings));
    }
}
