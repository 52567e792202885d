package io.keepwell.it.dns;

import io.keepwell.it.support.dns.TestDnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A test name server and a resolver fixture (NIO loops) for each test, both closed after it. */
abstract class NameServerTestBase {

    @TempDir
    Path dir;
    TestDnsServer server;
    ResolverFixture fixture;

    /** How many event loops the fixture has. */
    int loops() {
        return 1;
    }

    @BeforeEach
    void startNameServer() throws Exception {
        server = TestDnsServer.start();
        fixture = new ResolverFixture(dir, loops(), false);
    }

    @AfterEach
    void stopNameServer() {
        fixture.close();
        server.close();
    }
}
