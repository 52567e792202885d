package io.keepwell.it.support;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A loopback HTTP/1.1 server that misbehaves on purpose, for the chaos soak. It listens on several
 * ports (one per "host") and, for every request, draws a {@link Fault} from a seeded random stream
 * of its connection: answer properly, delay the headers, reset or truncate mid-response, close or
 * send unsolicited bytes once the connection is idle, answer {@code Connection: close} or
 * HTTP/1.0. It never holds a request longer than a few milliseconds, so a client without response
 * timeouts always gets an answer or a close.
 *
 * <p>Requests are decoded by Netty's request decoder; responses are written as raw bytes, so any
 * prefix of them can be cut off. Every request carries {@value #ID_HEADER}; the server counts how
 * often it <em>executed</em> each id (a request is executed when it is read whole and the server
 * acts on it, including the faults that reset or close after reading it: a server that crashes
 * after doing the work). Its counts of connections come from its own channels, a witness that
 * shares no code with the client's pool. Every choice about a request (its fault, body length,
 * delays) is drawn from {@code seed}, its id and how often it was executed before, so a seed
 * gives each request the same fault in every run, whatever the interleaving.
 *
 * <p>Response bodies are {@link #bodyByte(long, int)} of the request's id, so a client can check
 * that a response is the one for its request; request bodies must be the same pattern, which the
 * server checks ({@link #corruptRequests()}).
 */
public final class ChaosServer implements AutoCloseable {

    /** The header that carries a request's id, a non-negative long below {@code maxIds}. */
    public static final String ID_HEADER = "X-Soak-Id";

    /**
     * The header that carries the length of a request's body as its sender meant it; a request
     * whose body arrived shorter or longer is counted in {@link #corruptRequests()}.
     */
    public static final String LENGTH_HEADER = "X-Soak-Length";

    /** What the server does with one request. */
    public enum Fault {
        /** A proper response with {@code Content-Length}. */
        BEHAVE,
        /** A proper chunked response. */
        BEHAVE_CHUNKED,
        /** A proper response after 1 to 5 ms. */
        DELAY_HEADERS,
        /** A proper response, then the connection is closed (FIN) within 0 to 3 ms if no request arrived. */
        CLOSE_WHEN_IDLE,
        /** A proper response, then within 0 to 3 ms, if idle, a 408 or a junk line, then a close. */
        UNSOLICITED_WHEN_IDLE,
        /**
         * A proper response with a 408 or a junk line appended in the same write: bytes the client
         * holds before it can send another request on the connection, so it must not send one
         * there. A request that still arrives is recorded ({@link #staleVictims()}) and dropped.
         */
        TRAILING_GARBAGE,
        /** A reset (RST) right after the request was read, no response byte written. */
        RESET_BEFORE_RESPONSE,
        /** A prefix of the status line and headers, then a reset. */
        RESET_DURING_HEADERS,
        /** The headers and part of the body, then a reset. */
        RESET_DURING_BODY,
        /** The headers and part of the body, then a close (FIN): a truncated body. */
        TRUNCATE_BODY,
        /** A response with {@code Connection: close}, then a close. */
        CONNECTION_CLOSE,
        /** An HTTP/1.0 response without keep-alive (length-delimited or read-until-close), then a close. */
        HTTP10_CLOSE,
        /** An HTTP/1.0 response with {@code Connection: keep-alive} and a length; the connection stays. */
        HTTP10_KEEP_ALIVE;

        /** Whether the whole response reaches the client (anything the fault does comes after it). */
        public boolean deliversResponse() {
            return switch (this) {
                case RESET_BEFORE_RESPONSE, RESET_DURING_HEADERS, RESET_DURING_BODY, TRUNCATE_BODY -> false;
                default -> true;
            };
        }
    }

    private static final Fault[] FAULTS = Fault.values();
    private static final byte[] JUNK = "?? not http ??\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TIMEOUT_408 =
            "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_BODY = 4096;
    /**
     * The server's buffers are not watched by the leak detector: at paranoid level tracking them
     * costs several times the soak's run time, and the detector is there for the client's buffers.
     */
    private static final UnpooledByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(false, true);

    private final long seed;
    private final int[] weights;
    private final int weightTotal;
    private final EventLoopGroup group;
    private final List<Channel> listeners = new ArrayList<>();
    private Channel tlsListener; // null without TLS
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong acceptedConnections = new AtomicLong();
    private final AtomicLongArray faultCounts = new AtomicLongArray(FAULTS.length);
    private final AtomicIntegerArray executions;
    private final AtomicIntegerArray lastFault;
    private final AtomicLong corruptRequests = new AtomicLong();
    private final java.util.Queue<Long> staleVictims = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private ChaosServer(long seed, Map<Fault, Integer> mix, int ports, int maxIds, int threads, SSLContext tls)
            throws InterruptedException {
        this.seed = seed;
        this.weights = new int[FAULTS.length];
        int total = 0;
        for (Fault f : FAULTS) {
            weights[f.ordinal()] = mix.getOrDefault(f, 0);
            total += weights[f.ordinal()];
        }
        if (total <= 0) {
            throw new IllegalArgumentException("empty fault mix: " + mix);
        }
        this.weightTotal = total;
        this.executions = new AtomicIntegerArray(maxIds);
        this.lastFault = new AtomicIntegerArray(maxIds);
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("chaos-server", true), NioIoHandler.newFactory());
        try {
            ServerBootstrap plain = bootstrap(null);
            for (int i = 0; i < ports; i++) {
                listeners.add(plain.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0)).sync().channel());
            }
            if (tls != null) {
                tlsListener = bootstrap(new JdkSslContext(tls, false, ClientAuth.NONE))
                        .bind(new InetSocketAddress(FreePorts.LOOPBACK, 0)).sync().channel();
            }
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private ServerBootstrap bootstrap(SslContext tls) {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, UNTRACKED)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        acceptedConnections.incrementAndGet();
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpRequestDecoder(), new HttpObjectAggregator(1 << 20),
                                new Connection());
                    }
                });
    }

    /**
     * Starts a server on {@code ports} ports whose faults are drawn with the given weights.
     *
     * @param maxIds request ids must be below this
     */
    public static ChaosServer start(long seed, Map<Fault, Integer> mix, int ports, int maxIds, int threads)
            throws InterruptedException {
        return new ChaosServer(seed, mix, ports, maxIds, threads, null);
    }

    /** As {@link #start}, with one more port that speaks TLS with {@code tls} ({@link #tlsHost()}). */
    public static ChaosServer startWithTls(long seed, Map<Fault, Integer> mix, int ports, int maxIds, int threads,
                                           SSLContext tls) throws InterruptedException {
        return new ChaosServer(seed, mix, ports, maxIds, threads, java.util.Objects.requireNonNull(tls, "tls"));
    }

    /** The byte at {@code index} of the body of request (or response) {@code id}. */
    public static byte bodyByte(long id, int index) {
        return (byte) ('a' + (int) ((id + index) % 26));
    }

    /** The body a request with {@code id} carries, {@code length} bytes long. */
    public static byte[] body(long id, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = bodyByte(id, i);
        }
        return out;
    }

    public long seed() {
        return seed;
    }

    /** A base URI per port, {@code http://127.0.0.1:port}. */
    public List<URI> hosts() {
        List<URI> out = new ArrayList<>();
        for (Channel c : listeners) {
            out.add(URI.create("http://127.0.0.1:" + ((InetSocketAddress) c.localAddress()).getPort()));
        }
        return out;
    }

    /** The TLS port's base URI, {@code https://127.0.0.1:port}; only for a server started with TLS. */
    public URI tlsHost() {
        if (tlsListener == null) {
            throw new IllegalStateException("started without TLS");
        }
        return URI.create("https://127.0.0.1:" + ((InetSocketAddress) tlsListener.localAddress()).getPort());
    }

    /** Connections accepted and not yet seen closed by the server. */
    public int openConnections() {
        return openConnections.get();
    }

    public long acceptedConnections() {
        return acceptedConnections.get();
    }

    /** How often request {@code id} was executed. */
    public int executions(long id) {
        return executions.get((int) id);
    }

    /** The fault drawn for the last execution of request {@code id}, or null if it was never executed. */
    public Fault lastFault(long id) {
        return executions.get((int) id) == 0 ? null : FAULTS[lastFault.get((int) id)];
    }

    /**
     * Ids of requests that arrived on a connection after a {@link Fault#TRAILING_GARBAGE} response:
     * the client sent them although it already held the stale bytes (they are not executed).
     */
    public List<Long> staleVictims() {
        return List.copyOf(staleVictims);
    }

    /** Requests whose body did not match their id and length. */
    public long corruptRequests() {
        return corruptRequests.get();
    }

    /** How often each fault was drawn. */
    public Map<Fault, Long> faultCounts() {
        Map<Fault, Long> out = new EnumMap<>(Fault.class);
        for (Fault f : FAULTS) {
            out.put(f, faultCounts.get(f.ordinal()));
        }
        return out;
    }

    @Override
    public void close() {
        for (Channel c : listeners) {
            c.close().syncUninterruptibly();
        }
        if (tlsListener != null) {
            tlsListener.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One accepted connection; everything runs on its event loop. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private SplittableRandom random; // the current request's choices
        private long requestsRead;     // bumped per request: an idle-time action checks it did not move
        private boolean finished;      // the server decided to end this connection; later requests are dropped
        private boolean poisoned;      // trailing garbage was sent: a later request is a victim of stale bytes

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            openConnections.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            openConnections.decrementAndGet();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // resets from the client, broken pipes: the connection is over
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof FullHttpRequest request && poisoned) {
                    String id = request.headers().get(ID_HEADER);
                    staleVictims.add(id == null ? -1 : Long.parseLong(id));
                    poisoned = false;
                    finish(ctx, false);
                } else if (msg instanceof FullHttpRequest request && !finished) {
                    requestsRead++;
                    serve(ctx, request);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.decoderResult().isFailure()) {
                corruptRequests.incrementAndGet();
                finish(ctx, false);
                return;
            }
            long id = Long.parseLong(request.headers().get(ID_HEADER));
            checkBody(id, request.headers().get(LENGTH_HEADER), request.content());
            int executedBefore = executions.getAndIncrement((int) id);
            random = new SplittableRandom(seed + id * 0x9E3779B97F4A7C15L + executedBefore);
            boolean clientAskedClose = request.headers().containsValue("Connection", "close", true);
            Fault fault = draw();
            faultCounts.incrementAndGet(fault.ordinal());
            lastFault.set((int) id, fault.ordinal());
            int length = random.nextInt(MAX_BODY + 1);
            switch (fault) {
                case BEHAVE -> respond(ctx, "HTTP/1.1 200 OK", id, length, false, clientAskedClose);
                case BEHAVE_CHUNKED -> respond(ctx, "HTTP/1.1 200 OK", id, length, true, clientAskedClose);
                case DELAY_HEADERS -> {
                    int delay = 1 + random.nextInt(5);
                    ctx.executor().schedule(() -> respond(ctx, "HTTP/1.1 200 OK", id, length, false, clientAskedClose),
                            delay, TimeUnit.MILLISECONDS);
                }
                case CLOSE_WHEN_IDLE -> {
                    respond(ctx, "HTTP/1.1 200 OK", id, length, false, clientAskedClose);
                    whenStillIdle(ctx, () -> finish(ctx, false));
                }
                case UNSOLICITED_WHEN_IDLE -> {
                    respond(ctx, "HTTP/1.1 200 OK", id, length, false, clientAskedClose);
                    boolean timeout = random.nextBoolean();
                    whenStillIdle(ctx, () -> {
                        finished = true;
                        ctx.writeAndFlush(Unpooled.wrappedBuffer(timeout ? TIMEOUT_408 : JUNK))
                                .addListener(ChannelFutureListener.CLOSE);
                    });
                }
                case TRAILING_GARBAGE -> {
                    byte[] head = head("HTTP/1.1 200 OK", id, "Content-Length: " + length + "\r\n");
                    poisoned = true;
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(head, body(id, length), random.nextBoolean() ? TIMEOUT_408 : JUNK));
                    // closed when the client closes, or when a request arrives anyway
                }
                case RESET_BEFORE_RESPONSE -> finish(ctx, true);
                case RESET_DURING_HEADERS -> {
                    byte[] head = head("HTTP/1.1 200 OK", id, "Content-Length: " + length + "\r\n");
                    finished = true;
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(head, 0, 1 + random.nextInt(head.length - 1)))
                            .addListener(f -> reset(ctx));
                }
                case RESET_DURING_BODY, TRUNCATE_BODY -> {
                    int full = Math.max(length, 2);
                    boolean chunked = random.nextBoolean();
                    ByteBuf partial;
                    if (chunked) {
                        // cut inside the first chunk, or right after it, before the terminating chunk
                        byte[] chunk = chunk(id, 0, full);
                        partial = Unpooled.wrappedBuffer(head("HTTP/1.1 200 OK", id, "Transfer-Encoding: chunked\r\n"),
                                java.util.Arrays.copyOf(chunk, chunk.length - random.nextInt(full + 1)));
                    } else {
                        partial = Unpooled.wrappedBuffer(head("HTTP/1.1 200 OK", id, "Content-Length: " + full + "\r\n"),
                                body(id, random.nextInt(full)));
                    }
                    finished = true;
                    boolean rst = fault == Fault.RESET_DURING_BODY;
                    ctx.writeAndFlush(partial).addListener(f -> {
                        if (rst) {
                            reset(ctx);
                        } else {
                            ctx.close();
                        }
                    });
                }
                case CONNECTION_CLOSE -> respond(ctx, "HTTP/1.1 200 OK", id, length, false, true);
                case HTTP10_CLOSE -> {
                    finished = true;
                    boolean delimited = random.nextBoolean();
                    byte[] head = head("HTTP/1.0 200 OK", id, delimited ? "Content-Length: " + length + "\r\n" : "");
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(head, body(id, length))).addListener(ChannelFutureListener.CLOSE);
                }
                case HTTP10_KEEP_ALIVE -> {
                    byte[] head = head("HTTP/1.0 200 OK", id, "Connection: keep-alive\r\nContent-Length: " + length + "\r\n");
                    write(ctx, Unpooled.wrappedBuffer(head, body(id, length)), clientAskedClose);
                }
            }
        }

        private Fault draw() {
            int r = random.nextInt(weightTotal);
            for (Fault f : FAULTS) {
                r -= weights[f.ordinal()];
                if (r < 0) {
                    return f;
                }
            }
            throw new AssertionError();
        }

        private void checkBody(long id, String announced, ByteBuf content) {
            int n = content.readableBytes();
            if (announced != null && Integer.parseInt(announced) != n) {
                corruptRequests.incrementAndGet();
                return;
            }
            for (int i = 0; i < n; i++) {
                if (content.getByte(content.readerIndex() + i) != bodyByte(id, i)) {
                    corruptRequests.incrementAndGet();
                    return;
                }
            }
        }

        private void respond(ChannelHandlerContext ctx, String statusLine, long id, int length, boolean chunked, boolean close) {
            ByteBuf out;
            String closeHeader = close ? "Connection: close\r\n" : "";
            if (chunked) {
                int first = length == 0 ? 0 : random.nextInt(length + 1);
                out = Unpooled.wrappedBuffer(
                        head(statusLine, id, closeHeader + "Transfer-Encoding: chunked\r\n"),
                        chunk(id, 0, first), chunk(id, first, length - first),
                        "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                out = Unpooled.wrappedBuffer(head(statusLine, id, closeHeader + "Content-Length: " + length + "\r\n"), body(id, length));
            }
            write(ctx, out, close);
        }

        private void write(ChannelHandlerContext ctx, ByteBuf response, boolean thenClose) {
            if (!ctx.channel().isActive()) {
                response.release();
                return;
            }
            if (thenClose) {
                finished = true;
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }

        /** Runs {@code action} in 0 to 3 ms unless a request arrives meanwhile. */
        private void whenStillIdle(ChannelHandlerContext ctx, Runnable action) {
            long seen = requestsRead;
            ctx.executor().schedule(() -> {
                if (requestsRead == seen && !finished && ctx.channel().isActive()) {
                    action.run();
                }
            }, random.nextInt(4), TimeUnit.MILLISECONDS);
        }

        private void finish(ChannelHandlerContext ctx, boolean reset) {
            finished = true;
            if (reset) {
                reset(ctx);
            } else {
                ctx.close();
            }
        }

        /** Closes with SO_LINGER 0, which sends RST instead of FIN and drops anything unsent. */
        private void reset(ChannelHandlerContext ctx) {
            if (ctx.channel().isOpen()) {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.close();
            }
        }
    }

    private static byte[] head(String statusLine, long id, String headers) {
        return (statusLine + "\r\n" + ID_HEADER + ": " + id + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] chunk(long id, int from, int length) {
        if (length == 0) {
            return new byte[0];
        }
        byte[] size = (Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size.length + length + 2];
        System.arraycopy(size, 0, out, 0, size.length);
        for (int i = 0; i < length; i++) {
            out[size.length + i] = bodyByte(id, from + i);
        }
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }
}
