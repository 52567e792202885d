package io.keepwell.netty.dns;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code -Djdk.net.hosts.file} confines the JDK's resolution to a file; a client left to the
 * system's configuration then resolves as the JDK would, never asking the system's name servers.
 * The build sets the property for every test JVM, so no test can reach them by accident.
 */
class HostsFileConfinementTest {

    @Test
    void theBuildConfinesTheTestJvmsToTheHostsFile() {
        assertEquals("/etc/hosts", System.getProperty("jdk.net.hosts.file"));
    }

    @Test
    void theSystemsConfigurationGivesWayToTheHostsFileWhenTheJvmIsConfined() {
        assertTrue(HostResolvers.confinedToHostsFile(ResolverSettings.defaults()));
    }

    @Test
    void nameServersOrFilesGivenToTheClientAreStillAsked() {
        ResolverSettings servers = ResolverSettings.defaults().withNameServers(List.of(new InetSocketAddress("127.0.0.1", 5353)));
        ResolverSettings files = ResolverSettings.defaults().withFiles(Path.of("/tmp/resolv.conf"), ResolverSettings.HOSTS);
        assertFalse(HostResolvers.confinedToHostsFile(servers));
        assertFalse(HostResolvers.confinedToHostsFile(files));
    }
}
