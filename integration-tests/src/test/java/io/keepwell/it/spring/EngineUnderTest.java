package io.keepwell.it.spring;

import java.net.http.HttpClient;

/**
 * The {@link HttpClient} under Spring's clients in these tests, and the checks that only Keepwell
 * can answer. Today it is the JDK's own client; when {@code KeepwellHttpClient} lands, {@link #start()}
 * builds that instead and a Keepwell engine implements the hooks.
 */
interface EngineUnderTest extends AutoCloseable {

    /** The one place the engine is chosen. */
    static EngineUnderTest start() {
        return new Jdk(HttpClient.newBuilder().build());
    }

    HttpClient client();

    /**
     * Called once the server saw the connection of a cancelled exchange close: the client's own
     * account must say it closed that connection because the exchange was cancelled.
     */
    void assertLastCancelClosedAsAborted();

    /** The JDK's client: it keeps no account of why it closed a connection, so its hook checks nothing. */
    record Jdk(HttpClient client) implements EngineUnderTest {

        @Override
        public void assertLastCancelClosedAsAborted() {
            // Keepwell: poolStats().closedBy(CloseReason.ABORTED) is above what it was at the previous call.
        }

        @Override
        public void close() throws Exception {
            // HttpClient is AutoCloseable from JDK 21 on; on 17 the JDK's client ends its threads once unreachable.
            if (client instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }
}
