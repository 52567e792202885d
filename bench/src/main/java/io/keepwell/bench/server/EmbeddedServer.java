package io.keepwell.bench.server;

import io.keepwell.bench.util.AllocatedBytes;
import io.keepwell.bench.util.Loopback;
import io.keepwell.netty.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small HTTP/1.1 server for the bench, on its own event loops, bound to 127.0.0.1 on a free
 * port. It answers every request with a fixed body ({@value #DEFAULT_BODY_TEXT} by default, or
 * {@code responseSize} bytes) and keeps connections alive unless the request says otherwise.
 *
 * <p>With {@link Protocol#H2} it speaks HTTP/2 over TLS instead (ALPN offering only {@code h2}, so
 * a client that does not negotiate h2 fails its handshake rather than being measured over
 * HTTP/1.1; a self-signed certificate made at start, see {@link BenchCertificate}); with
 * {@link Protocol#H2C}, HTTP/2 over cleartext with prior knowledge. Both answer every stream with
 * the same status, headers and body as HTTP/1.1, and announce {@code maxConcurrentStreams} and the
 * receive windows in their SETTINGS.
 *
 * <p>In <em>hold</em> mode it answers nothing until {@code holdCount} requests have arrived, then
 * answers all of them with {@code 204} and {@code Content-Length: 0}, as the handler of Go's
 * {@code TestTransportPersistConnLeak} does; later requests are answered at once.
 *
 * <p>Responses are written from one pre-encoded direct buffer that is never released (it belongs
 * to the garbage collector, not to Netty's allocator), so the hot path takes no reference counts.
 * Every request object the decoder produces is released where it is read.
 */
public final class EmbeddedServer implements AutoCloseable {

    /** The default body, 13 bytes as in the usual "hello world" benchmarks. */
    public static final String DEFAULT_BODY_TEXT = "Hello, World!";

    /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS unless set: 100, what most servers announce. */
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    /** HTTP/2 stream receive window unless set: 1 MiB, Keepwell's client default. */
    public static final int DEFAULT_STREAM_WINDOW = 1 << 20;
    /** HTTP/2 connection receive window unless set: 16 MiB, Keepwell's client default. */
    public static final int DEFAULT_CONNECTION_WINDOW = 1 << 24;

    /** What the server speaks. */
    public enum Protocol {
        /** HTTP/1.1 over cleartext. */
        HTTP_1_1,
        /** HTTP/2 over TLS, negotiated with ALPN ({@code h2} only). */
        H2,
        /** HTTP/2 over cleartext with prior knowledge (no Upgrade). */
        H2C
    }

    private final Transport transport;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ByteBuf okResponse;
    private final ByteBuf okHeadResponse;   // the same head without the body, for HEAD
    private final ByteBuf noContentResponse;
    private final HoldGate gate;        // null unless in hold mode
    private final int responseSize;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger acceptedConnections = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Protocol protocol;
    private final BenchCertificate certificate; // null unless H2
    private final Http2Responder.Settings h2;   // null for HTTP/1.1

    private EmbeddedServer(Builder b) {
        this.transport = resolve(b.transport);
        this.responseSize = b.responseSize;
        this.protocol = b.protocol;
        if (protocol != Protocol.HTTP_1_1 && b.holdCount > 0) {
            throw new IllegalStateException("hold mode is HTTP/1.1 only");
        }
        this.certificate = protocol == Protocol.H2 ? (b.certificate != null ? b.certificate : BenchCertificate.generate()) : null;
        this.h2 = protocol == Protocol.HTTP_1_1 ? null
                : new Http2Responder.Settings(b.maxConcurrentStreams, b.streamWindow, b.connectionWindow,
                        okBody(b.responseSize), b.responseSize, requests, openConnections, acceptedConnections);
        SslContext ssl = certificate == null ? null : Http2Responder.serverSslContext(certificate);
        this.okResponse = constant(okResponseBytes(b.responseSize, true));
        this.okHeadResponse = constant(okResponseBytes(b.responseSize, false));
        this.noContentResponse = constant("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        this.gate = b.holdCount > 0 ? new HoldGate(b.holdCount, b.onAllArrived) : null;
        ThreadFactory recording = recordingThreadFactory(new DefaultThreadFactory("keepwell-bench-server", true));
        IoHandlerFactory io = transport == Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(b.threads, recording, io);
        Class<? extends ServerChannel> channelClass = transport == Transport.EPOLL
                ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        HttpDecoderConfig decoder = new HttpDecoderConfig().setValidateHeaders(false);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        switch (protocol) {
                            case HTTP_1_1 -> {
                                ch.pipeline().addLast("decoder", new HttpRequestDecoder(decoder));
                                ch.pipeline().addLast("responder", new Responder());
                            }
                            case H2 -> Http2Responder.initTls(ch, ssl, h2);
                            case H2C -> Http2Responder.initCleartext(ch, h2);
                        }
                    }
                });
        try {
            this.serverChannel = bootstrap.bind(new InetSocketAddress(Loopback.ADDRESS, b.port)).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A server with the defaults: the 13-byte body, one thread, the best transport available. */
    public static EmbeddedServer start() {
        return builder().start();
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path}; {@code https://} for {@link Protocol#H2}. */
    public URI uri(String path) {
        return URI.create((protocol == Protocol.H2 ? "https" : "http") + "://" + Loopback.ADDRESS + ":" + port() + path);
    }

    public Protocol protocol() {
        return protocol;
    }

    /** The certificate an {@link Protocol#H2} server presents (clients trust it), or {@code null}. */
    public BenchCertificate certificate() {
        return certificate;
    }

    public Transport transport() {
        return transport;
    }

    public int responseSize() {
        return responseSize;
    }

    /** Connections open now, counted from {@code channelActive} and {@code channelInactive}. */
    public int openConnections() {
        return openConnections.get();
    }

    /** Connections accepted since the start. */
    public int acceptedConnections() {
        return acceptedConnections.get();
    }

    /** Requests read to their end since the start (HTTP/2: streams whose request ended). */
    public long requests() {
        return requests.sum();
    }

    /** In hold mode, the requests that have arrived so far (held or answered); 0 otherwise. */
    public int heldArrivals() {
        return gate == null ? 0 : gate.arrived.get();
    }

    /** In hold mode, answers every held request now, whether or not all have arrived (for giving up cleanly). */
    public void releaseHeld() {
        if (gate != null) {
            gate.open();
        }
    }

    /** CPU time used so far by the server's threads, or -1 where the JVM cannot tell. */
    public long cpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported()) {
            return -1;
        }
        long sum = 0;
        for (Thread t : threads) {
            long cpu = mx.getThreadCpuTime(t.getId());
            if (cpu > 0) {
                sum += cpu;
            }
        }
        return sum;
    }

    /** Bytes allocated so far by the server's live threads, or -1 where the JVM cannot tell. */
    public long allocatedBytes() {
        return AllocatedBytes.of(threads);
    }

    /** Stops accepting, closes every connection and waits for the server's threads to stop. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedServer{" + Loopback.ADDRESS + ":" + port() + ", " + protocol + ", " + transport + ", body " + responseSize
                + " bytes" + (gate != null ? ", hold " + gate.count : "") + '}';
    }

    private static Transport resolve(Transport requested) {
        return switch (requested) {
            case AUTO -> Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
            case EPOLL -> {
                Epoll.ensureAvailability();
                yield Transport.EPOLL;
            }
            case NIO -> Transport.NIO;
        };
    }

    private ThreadFactory recordingThreadFactory(ThreadFactory delegate) {
        return task -> {
            Thread t = delegate.newThread(task);
            threads.add(t);
            return t;
        };
    }

    private static byte[] bodyBytes(int bodySize) {
        byte[] body = new byte[bodySize];
        byte[] hello = DEFAULT_BODY_TEXT.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < body.length; i++) {
            body[i] = bodySize == hello.length ? hello[i] : (byte) ('a' + i % 26);
        }
        return body;
    }

    /** The body alone, for HTTP/2's DATA frames. */
    private static ByteBuf okBody(int bodySize) {
        return constant(bodyBytes(bodySize));
    }

    private static byte[] okResponseBytes(int bodySize, boolean withBody) {
        byte[] body = withBody ? bodyBytes(bodySize) : new byte[0];
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + bodySize + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /**
     * A read-only response the transport can write any number of times: a direct buffer outside
     * Netty's allocator (the garbage collector frees it), wrapped so that the release after each
     * write is a no-op.
     */
    private static ByteBuf constant(byte[] bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
    }

    /** One per connection; event loop only. */
    private final class Responder extends ChannelInboundHandlerAdapter {
        private boolean keepAlive = true;
        private boolean head;
        private boolean flushPending;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            openConnections.incrementAndGet();
            acceptedConnections.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            openConnections.decrementAndGet();
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest request) {
                    if (request.decoderResult().isFailure()) {
                        ctx.close();
                        return;
                    }
                    keepAlive = HttpUtil.isKeepAlive(request);
                    head = HttpMethod.HEAD.equals(request.method());
                }
                if (msg instanceof LastHttpContent last) {
                    if (last.decoderResult().isFailure()) {
                        ctx.close();
                        return;
                    }
                    requests.increment();
                    answer(ctx);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            if (gate != null) {
                gate.arrive(ctx.channel(), keepAlive);
                return;
            }
            ByteBuf response = (head ? okHeadResponse : okResponse).duplicate();
            if (keepAlive) {
                ctx.write(response, ctx.voidPromise());
                flushPending = true;
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** Responses to pipelined requests of one read go out in one flush. */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (flushPending) {
                flushPending = false;
                ctx.flush();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset by the client, mostly; nothing to report
        }
    }

    /** A request waiting for the gate, and whether its connection stays open after the answer. */
    private record Held(Channel channel, boolean keepAlive) {
    }

    /**
     * Holds requests until {@code count} have arrived. Each arrival is queued before it is
     * counted, so the arrival that reaches {@code count} finds every earlier one in the queue;
     * arrivals after that drain the queue themselves. Each held request is polled, and so
     * answered, exactly once.
     */
    private final class HoldGate {
        final int count;
        final Runnable onAllArrived;
        final AtomicInteger arrived = new AtomicInteger();
        final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
        volatile boolean open;

        HoldGate(int count, Runnable onAllArrived) {
            this.count = count;
            this.onAllArrived = onAllArrived;
        }

        void arrive(Channel channel, boolean keepAlive) {
            held.add(new Held(channel, keepAlive));
            int n = arrived.incrementAndGet();
            if (n == count && !open) {
                onAllArrived.run();
                open();
            } else if (n > count || open) {
                drain();
            }
        }

        void open() {
            open = true;
            drain();
        }

        private void drain() {
            Held h;
            while ((h = held.poll()) != null) {
                Held answer = h;
                answer.channel().eventLoop().execute(() -> {
                    var written = answer.channel().writeAndFlush(noContentResponse.duplicate());
                    if (!answer.keepAlive()) {
                        written.addListener(ChannelFutureListener.CLOSE);
                    }
                });
            }
        }
    }

    /** Server settings; every default is listed with its setter. */
    public static final class Builder {
        private int responseSize = DEFAULT_BODY_TEXT.length();
        private int threads = 1;
        private Transport transport = Transport.AUTO;
        private int holdCount;
        private Runnable onAllArrived = () -> { };
        private int port;
        private Protocol protocol = Protocol.HTTP_1_1;
        private BenchCertificate certificate;
        private int maxConcurrentStreams = DEFAULT_MAX_CONCURRENT_STREAMS;
        private int streamWindow = DEFAULT_STREAM_WINDOW;
        private int connectionWindow = DEFAULT_CONNECTION_WINDOW;

        private Builder() {
        }

        /** Body bytes of each 200 response; 13 ({@value #DEFAULT_BODY_TEXT}) by default. */
        public Builder responseSize(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("responseSize must not be negative: " + bytes);
            }
            this.responseSize = bytes;
            return this;
        }

        /** Event-loop threads; 1 by default, so the server leaves the cores to the client under test. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1: " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** AUTO (epoll when available) by default. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Hold mode: hold every request until {@code count} have arrived, then answer all with 204.
         * {@code onAllArrived} runs once, on a server event loop, after the last arrival and before
         * the first answer, so it sees the moment of peak load; it must be quick.
         */
        public Builder hold(int count, Runnable onAllArrived) {
            if (count < 1) {
                throw new IllegalArgumentException("hold count must be at least 1: " + count);
            }
            this.holdCount = count;
            this.onAllArrived = Objects.requireNonNull(onAllArrived, "onAllArrived");
            return this;
        }

        /** The port to bind on 127.0.0.1; 0 (a free port) by default. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** HTTP/1.1 by default; {@link Protocol#H2} (TLS, ALPN h2) or {@link Protocol#H2C} (prior knowledge). */
        public Builder protocol(Protocol protocol) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /** The certificate an H2 server presents; a fresh self-signed one by default. */
        public Builder certificate(BenchCertificate certificate) {
            this.certificate = Objects.requireNonNull(certificate, "certificate");
            return this;
        }

        /**
         * HTTP/2's SETTINGS_MAX_CONCURRENT_STREAMS, {@value #DEFAULT_MAX_CONCURRENT_STREAMS} by
         * default (what most servers announce); the load command sets it to {@code --streams}, so
         * a client that honours it cannot put more than that many streams on one connection.
         */
        public Builder maxConcurrentStreams(int streams) {
            if (streams < 1) {
                throw new IllegalArgumentException("maxConcurrentStreams must be at least 1: " + streams);
            }
            this.maxConcurrentStreams = streams;
            return this;
        }

        /**
         * HTTP/2 receive windows (bytes) for request bodies: the stream window sent in SETTINGS
         * and the connection window, by default 1 MiB and 16 MiB as Keepwell's client defaults.
         */
        public Builder http2Windows(int stream, int connection) {
            if (stream < 65_535 || connection < 65_535) {
                throw new IllegalArgumentException("HTTP/2 windows must be at least 65535 bytes: " + stream + ", " + connection);
            }
            this.streamWindow = stream;
            this.connectionWindow = connection;
            return this;
        }

        public EmbeddedServer start() {
            return new EmbeddedServer(this);
        }
    }
}
