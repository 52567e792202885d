package io.keepwell.it.conformance;

import io.keepwell.it.support.ScriptedServers;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The loopback servers and the engines' clients of a conformance test, both closed after each test. */
abstract class ConformanceFixture {

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final EngineClients clients = new EngineClients();
}
