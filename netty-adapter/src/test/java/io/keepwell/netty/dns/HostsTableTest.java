package io.keepwell.netty.dns;

import io.netty.resolver.ResolvedAddressTypes;
import io.netty.util.NetUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class HostsTableTest {

    @TempDir
    Path dir;

    private HostsTable table(String... lines) throws Exception {
        Path file = dir.resolve("hosts");
        Files.write(file, List.of(lines));
        return HostsTable.read(file);
    }

    private static List<InetAddress> addresses(String... literals) {
        return java.util.Arrays.stream(literals).map(NetUtil::createInetAddressFromIpAddressString).toList();
    }

    @Test
    void everyAddressOfTheNameThePreferredFamilyFirst() throws Exception {
        HostsTable hosts = table("::7 dual.test", "127.0.0.7 dual.test", "127.0.0.8 dual.test # second");

        assertEquals(addresses("127.0.0.7", "127.0.0.8", "::7"), hosts.lookup("dual.test", ResolvedAddressTypes.IPV4_PREFERRED));
        assertEquals(addresses("::7", "127.0.0.7", "127.0.0.8"), hosts.lookup("dual.test", ResolvedAddressTypes.IPV6_PREFERRED));
        assertEquals(addresses("127.0.0.7", "127.0.0.8"), hosts.lookup("dual.test", ResolvedAddressTypes.IPV4_ONLY));
        assertEquals(addresses("::7"), hosts.lookup("dual.test", ResolvedAddressTypes.IPV6_ONLY));
    }

    @Test
    void namesMatchWhateverTheirCaseAndATrailingDot() throws Exception {
        HostsTable hosts = table("127.0.0.7 Mixed.Test");

        assertEquals(addresses("127.0.0.7"), hosts.lookup("mixed.TEST.", ResolvedAddressTypes.IPV4_PREFERRED));
    }

    @Test
    void aNameNotListedOrOfAnotherFamilyOnlyIsNotAnswered() throws Exception {
        HostsTable hosts = table("::7 v6.test");

        assertNull(hosts.lookup("other.test", ResolvedAddressTypes.IPV4_PREFERRED));
        assertNull(hosts.lookup("v6.test", ResolvedAddressTypes.IPV4_ONLY));
    }

    @Test
    void aMissingFileAnswersNothing() {
        assertNull(HostsTable.read(dir.resolve("absent")).lookup("localhost", ResolvedAddressTypes.IPV4_PREFERRED));
    }
}
