package io.keepwell.bench.jmh;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.RequestListener;
import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.Exchange;
import io.keepwell.netty.handler.PipelineInitializer;
import io.keepwell.pool.Clock;
import io.keepwell.pool.ConnectionPool;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PooledConnection;
import io.keepwell.pool.TransportHooks;
import io.keepwell.pool.Waiter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.pool.ChannelPool;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One full exchange through the adapter's real pipeline (idle guard, HTTP codec, writer, reader)
 * on an {@link EmbeddedChannel}, with the core pool around it: lease the idle connection, begin
 * the exchange, encode the request, decode a response read into a fresh pooled buffer (as a socket
 * read would be), decide keep-alive, offer the connection back, complete the response future.
 *
 * <p>What it leaves out: the socket system calls, the thread hops of
 * {@code KeepwellHttpClient.sendAsync} (its lease promise and listeners, {@code HostChannelPool}, the
 * idle timer), which need a real event loop; the {@code LoopbackBenchmark} covers those.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PipelineBenchmark {

    static final PoolKey KEY = new PoolKey("http", "127.0.0.1", 8080);

    /** Response body bytes: the hello-world size, and 64 KiB (four 16 KiB chunks through the decoder). */
    @Param({"13", "65536"})
    int responseSize;

    /**
     * The request listener: {@code absent} (the exchange built without one), {@code NONE} set
     * (must cost nothing more), or a {@code noop} listener (the cost of the pipeline's events:
     * head and body written, response headers, body end; the client's own are not in this harness).
     */
    @Param({"absent", "NONE", "noop"})
    String listener;

    /**
     * The body handler: {@code drain} never looks at the headers, so the JDK's {@code HttpHeaders}
     * (a sorted copy of every header) is never built; {@code headers} reads one header first, the
     * price a handler pays for asking.
     */
    @Param({"drain", "headers"})
    String handler;

    private RequestListener events;

    private static final HttpResponse.BodyHandler<Void> DRAIN = io.keepwell.http.KeepwellBodyHandlers.discarding(Long.MAX_VALUE); // any size, as wrk reads
    private static final HttpResponse.BodyHandler<Void> READ_HEADERS = info -> {
        info.headers().firstValue("content-length");
        return DRAIN.apply(info);
    };
    private HttpResponse.BodyHandler<Void> discarding;
    private ConnectionPool<Channel> core;
    private EmbeddedChannel channel;
    private ConnectionContext cx;
    private HttpRequest request;
    private byte[] responseBytes;

    @Setup
    public void setUp() {
        discarding = handler.equals("headers") ? READ_HEADERS : DRAIN;
        events = switch (listener) {
            case "absent" -> null;
            case "NONE" -> RequestListener.NONE;
            case "noop" -> new RequestListener() {
            };
            default -> throw new IllegalArgumentException("listener: " + listener);
        };
        core = new ConnectionPool<>(PoolConfig.defaults(), Clock.system(), PoolListener.NOOP, new TransportHooks<>() {
            @Override
            public boolean isOpen(Channel ch) {
                return ch.isActive();
            }

            @Override
            public void close(Channel ch) {
                ch.close();
            }
        });
        Lease first = new Lease();
        core.acquire(first);
        PooledConnection<Channel> slot = first.permit;
        cx = new ConnectionContext(slot, core, new ReleaseToCore(), new AtomicBoolean());
        channel = new EmbeddedChannel(new PipelineInitializer(cx,
                io.keepwell.netty.ClientInternals.channelSettings(io.keepwell.netty.KeepwellHttpClient.newBuilder(), new io.keepwell.netty.handler.BodyBufferGauge())));
        if (!core.connected(slot, channel)) {
            throw new IllegalStateException("pool closed");
        }
        cx.markLeased();
        core.offer(slot, true); // idle, ready for the first lease
        request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/")).GET().build();
        responseBytes = responseBytes(responseSize);
        exchange(); // fail here, not in the measurement, if the pipeline does not complete an exchange
    }

    /** A 200 with a {@code size}-byte body, as the benchmarks read it. */
    static byte[] responseBytes(int size) {
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) 'x');
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + size + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[head.length + body.length];
        System.arraycopy(head, 0, bytes, 0, head.length);
        System.arraycopy(body, 0, bytes, head.length, body.length);
        return bytes;
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        core.close();
    }

    @Benchmark
    public HttpResponse<Void> exchange() {
        Lease lease = new Lease();
        core.acquire(lease);
        if (lease.leased == null) {
            throw new IllegalStateException("the connection was not idle: " + core.stats());
        }
        boolean reused = cx.markLeased();
        CompletableFuture<HttpResponse<Void>> result = new CompletableFuture<>();
        Exchange.ExchangeListener failed = (e, cause) -> e.result().completeExceptionally(cause);
        Exchange<Void> exchange = events == null ? new Exchange<>(request, discarding, result, KEY, failed)
                : new Exchange<>(request, discarding, result, KEY, failed, events);
        PipelineInitializer.reader(channel).begin(exchange, reused);
        Object written;
        while ((written = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(written);
        }
        ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(responseBytes.length);
        read.writeBytes(responseBytes);
        channel.writeInbound(read);
        HttpResponse<Void> response = result.getNow(null);
        if (response == null) {
            throw new IllegalStateException("the exchange did not complete: " + result);
        }
        return response;
    }

    /** Releases through the adapter's own release callback ({@code HostChannelPool.offerOrClose}). */
    private final class ReleaseToCore implements ChannelPool {
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

    private static final class Lease extends Waiter<Channel> {
        PooledConnection<Channel> leased;
        PooledConnection<Channel> permit;

        Lease() {
            super(KEY);
        }

        @Override
        protected void onConnection(PooledConnection<Channel> connection) {
            leased = connection;
        }

        @Override
        protected void onConnectPermit(PooledConnection<Channel> slot) {
            permit = slot;
        }

        @Override
        protected void onFailure(IOException cause) {
            throw new IllegalStateException(cause);
        }
    }
}
