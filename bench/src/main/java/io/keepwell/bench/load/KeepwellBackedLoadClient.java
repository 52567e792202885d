package io.keepwell.bench.load;

import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolStats;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A load client that sends through a {@link KeepwellHttpClient} it owns (Keepwell itself, or a
 * layer on it such as WebClient): reports that client's transport and pool, and closes it.
 */
public abstract class KeepwellBackedLoadClient implements LoadClient {

    /** The client every request goes through; closed by {@link #close()}. */
    protected final KeepwellHttpClient client;

    protected KeepwellBackedLoadClient(KeepwellHttpClient client) {
        this.client = client;
    }

    @Override
    public String transport() {
        return client.transport().name();
    }

    @Override
    public PoolStats poolStats() {
        return client.poolStats();
    }

    @Override
    public int openChannels() {
        return client.openChannels();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            client.closeAsync().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the client did not close within 10 s", e);
        }
    }
}
