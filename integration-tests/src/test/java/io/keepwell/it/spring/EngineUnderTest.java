package io.keepwell.it.spring;

import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;

import java.net.http.HttpClient;
import java.util.concurrent.TimeUnit;

/**
 * The {@link HttpClient} under Spring's clients in these tests: Keepwell, with the checks only it
 * can answer. {@link Jdk} runs the same tests on the JDK's own client, for comparison.
 */
interface EngineUnderTest extends AutoCloseable {

    /** The one place the engine is chosen. */
    static EngineUnderTest start() {
        return new Keepwell(KeepwellHttpClient.newBuilder().build());
    }

    HttpClient client();

    /**
     * Called once the server saw the connection of a cancelled exchange close: the client's own
     * account must say it closed that connection because the exchange was cancelled.
     */
    void assertLastCancelClosedAsAborted();

    /** Keepwell: every close is counted under its reason. */
    final class Keepwell implements EngineUnderTest {
        private final KeepwellHttpClient client;
        private long abortedSeen;

        Keepwell(KeepwellHttpClient client) {
            this.client = client;
        }

        @Override
        public HttpClient client() {
            return client;
        }

        @Override
        public void assertLastCancelClosedAsAborted() {
            // The server can see the close before the client's close future has counted it.
            Witnesses.awaitCondition(SpringFixture.DEADLINE, () -> client.poolStats().closedBy(CloseReason.ABORTED) > abortedSeen,
                    () -> "the cancel was not counted as ABORTED: " + client.poolStats());
            abortedSeen = client.poolStats().closedBy(CloseReason.ABORTED);
        }

        @Override
        public void close() throws Exception {
            client.closeAsync().get(10, TimeUnit.SECONDS); // exchanges the server still holds fail rather than wait
        }
    }

    /** The JDK's client: it keeps no account of why it closed a connection, so its hook checks nothing. */
    record Jdk(HttpClient client) implements EngineUnderTest {

        @Override
        public void assertLastCancelClosedAsAborted() {
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
