package io.keepwell.netty.handler;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.pool.Clock;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.ConnState;
import io.keepwell.pool.ConnectionPool;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PoolStats;
import io.keepwell.pool.PooledConnection;
import io.keepwell.pool.TransportHooks;
import io.keepwell.pool.Waiter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Keepwell connection on an {@link EmbeddedChannel}: the real pipeline (guard, codec, writer,
 * reader) over a real core pool, released through a minimal {@link ChannelPool} that executes the
 * core pool's verdict as {@code HostChannelPool} does. Request bytes the writer produces are
 * discarded (released); response bytes are fed with {@link #feed}.
 */
final class ReaderHarness implements AutoCloseable {

    static final URI URI_ = URI.create("http://example.test:8080/path?q=1");
    static final PoolKey KEY = PoolKey.of(URI_);

    final ConnectionPool<Channel> core;
    final EmbeddedChannel channel;
    final ConnectionContext cx;
    final PooledConnection<Channel> pooled;
    final AtomicBoolean clientClosing = new AtomicBoolean();

    ReaderHarness() {
        this(new HttpDecoderConfig().setMaxInitialLineLength(8 * 1024).setMaxHeaderSize(16 * 1024).setMaxChunkSize(16 * 1024));
    }

    ReaderHarness(HttpDecoderConfig decoder) {
        core = new ConnectionPool<>(PoolConfig.defaults(), Clock.system(), PoolListener.NOOP, new TransportHooks<>() {
            @Override
            public boolean isOpen(Channel transport) {
                return transport.isActive();
            }

            @Override
            public void close(Channel transport) {
                transport.close();
            }
        });
        SlotWaiter waiter = new SlotWaiter();
        core.acquire(waiter);
        if (waiter.slot == null) {
            throw new IllegalStateException("no connect permit");
        }
        pooled = waiter.slot;
        channel = new EmbeddedChannel();
        cx = new ConnectionContext(pooled, core, new TestChannelPool(), clientClosing);
        channel.closeFuture().addListener(f -> core.closed(pooled, CloseReason.PEER_CLOSED));
        if (!core.connected(pooled, channel)) {
            throw new IllegalStateException("pool closed");
        }
        channel.pipeline().addLast(new PipelineInitializer(cx, settings(decoder)));
        cx.markLeased();
    }

    /** The client's default channel settings, with {@code decoder} instead of its decoder limits. */
    static ChannelSettings settings(HttpDecoderConfig decoder) {
        ChannelSettings d = io.keepwell.netty.ClientInternals.channelSettings(io.keepwell.netty.KeepwellHttpClient.newBuilder(),
                new BodyBufferGauge());
        return new ChannelSettings(decoder, d.connectTimeout(), d.responseHeaderTimeout(), d.readTimeout(),
                d.abandonedBodyTimeout(), d.maxResponseBodySize(), d.bodyBuffer(), d.tls(), d.tlsParameters(),
                d.handshakeTimeout(), d.hostnameVerification(), d.decompression(), d.maxDecompressedSize(),
                d.expectContinueTimeout(), d.writeTimeout());
    }

    ExchangeReader reader() {
        return PipelineInitializer.reader(channel);
    }

    /** Starts a GET on the channel (which must be leased); returns its response future. */
    <T> CompletableFuture<HttpResponse<T>> begin(HttpResponse.BodyHandler<T> handler) {
        return begin(HttpRequest.newBuilder(URI_).build(), handler, false);
    }

    <T> CompletableFuture<HttpResponse<T>> begin(HttpRequest request, HttpResponse.BodyHandler<T> handler, boolean reused) {
        CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
        Exchange<T> exchange = new Exchange<>(request, handler, result, KEY,
                (ex, cause) -> ex.result().completeExceptionally(cause));
        reader().begin(exchange, reused);
        discardOutbound();
        return result;
    }

    /** Leases the pooled channel again (it must be idle in the pool); returns whether it was handed over. */
    boolean leaseAgain() {
        LeaseWaiter waiter = new LeaseWaiter();
        core.acquire(waiter);
        if (waiter.slot != null) {
            core.closed(waiter.slot, CloseReason.PEER_CLOSED); // no connect here: give the permit back
        }
        if (waiter.leased == null) {
            return false;
        }
        if (waiter.leased != pooled) {
            throw new IllegalStateException("leased another connection: " + waiter.leased);
        }
        cx.markLeased();
        return true;
    }

    void feed(String ascii) {
        feed(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    void feed(byte[] bytes) {
        feed(Unpooled.wrappedBuffer(bytes));
    }

    /** Feeds bytes unless the channel is closed (then they are released, as a closed socket would drop them). */
    void feed(ByteBuf bytes) {
        if (!channel.isOpen()) {
            bytes.release();
            return;
        }
        channel.writeInbound(bytes);
        releaseInbound();
    }

    /** The peer closes: the channel goes inactive. */
    void peerClose() {
        channel.close();
        channel.runPendingTasks();
        releaseInbound();
        discardOutbound();
    }

    ConnState state() {
        return core.stateOf(pooled);
    }

    PoolStats stats() {
        return core.stats();
    }

    private void releaseInbound() {
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    void discardOutbound() {
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        core.close();
    }

    /** Releases through the adapter's own release callback ({@code HostChannelPool.offerOrClose}). */
    private final class TestChannelPool implements ChannelPool {
        @Override
        public Future<Channel> acquire() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Channel> acquire(Promise<Channel> promise) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Void> release(Channel ch) {
            return release(ch, ImmediateEventExecutor.INSTANCE.newPromise());
        }

        @Override
        public Future<Void> release(Channel ch, Promise<Void> promise) {
            io.keepwell.netty.pool.HostChannelPool.offerOrClose(ch);
            return promise.setSuccess(null);
        }

        @Override
        public void close() {
        }
    }

    private static final class SlotWaiter extends Waiter<Channel> {
        PooledConnection<Channel> slot;

        SlotWaiter() {
            super(KEY);
        }

        @Override
        protected void onConnection(PooledConnection<Channel> connection) {
            throw new IllegalStateException("expected a connect permit, got " + connection);
        }

        @Override
        protected void onConnectPermit(PooledConnection<Channel> slot) {
            this.slot = slot;
        }

        @Override
        protected void onFailure(IOException cause) {
            throw new IllegalStateException(cause);
        }
    }

    private static final class LeaseWaiter extends Waiter<Channel> {
        PooledConnection<Channel> leased;
        PooledConnection<Channel> slot;

        LeaseWaiter() {
            super(KEY);
        }

        @Override
        protected void onConnection(PooledConnection<Channel> connection) {
            leased = connection;
        }

        @Override
        protected void onConnectPermit(PooledConnection<Channel> slot) {
            this.slot = slot;
        }

        @Override
        protected void onFailure(IOException cause) {
            throw new IllegalStateException(cause);
        }
    }
}
