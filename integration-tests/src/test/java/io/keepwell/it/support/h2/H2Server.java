package io.keepwell.it.support.h2;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * A scripted HTTP/2 server on Netty's server-side {@link io.netty.handler.codec.http2.Http2FrameCodec},
 * bound to 127.0.0.1 on a free port: over TLS with ALPN (falling back to HTTP/1.1 on the same
 * port) or as h2c with prior knowledge. Each request's reply comes from an {@link H2Script};
 * faults are driven per connection ({@link H2ServerConnection}: GOAWAY, SETTINGS, silence, close)
 * or here (refuse the next streams, stop returning window). Every count it reports comes from the
 * frames its codec read and wrote, thread-safe, to be awaited with a deadline.
 */
public final class H2Server implements AutoCloseable {

    private final H2ServerConfig config;
    private final H2Knobs knobs;
    private final EventLoopGroup group;
    private final Channel listener;
    private final List<H2ServerConnection> connections = new CopyOnWriteArrayList<>();
    private final List<H2Request> requests = new CopyOnWriteArrayList<>();
    private final StreamConcurrency concurrency = new StreamConcurrency();
    private final AtomicInteger closedConnections = new AtomicInteger();
    private final AtomicInteger acceptedAtFirstRequest = new AtomicInteger(-1);

    private H2Server(H2ServerConfig config) throws InterruptedException {
        this.config = config;
        this.knobs = new H2Knobs(config);
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("scripted-server-h2", true), NioIoHandler.newFactory());
        H2Pipelines pipelines = new H2Pipelines(knobs, config.initialWindowSize(), this::requestRead);
        try {
            this.listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            accept(channel, pipelines);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static H2Server start(H2ServerConfig config) throws InterruptedException {
        return new H2Server(config);
    }

    private void accept(SocketChannel channel, H2Pipelines pipelines) {
        H2ServerConnection connection;
        synchronized (connections) {
            connection = new H2ServerConnection(connections.size() + 1, channel, new H2WireLog(connections.size() + 1, concurrency), connections::size);
            connections.add(connection);
        }
        channel.closeFuture().addListener(f -> closedConnections.incrementAndGet());
        if (config.mode().tls()) {
            SSLEngine engine = config.tls().createSSLEngine();
            engine.setUseClientMode(false);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setApplicationProtocols(config.mode().offeredProtocols().toArray(String[]::new));
            engine.setSSLParameters(parameters);
            channel.pipeline().addLast(new SslHandler(engine), new AlpnSwitch(connection, pipelines));
        } else {
            pipelines.speakHttp2(channel, connection, "");
        }
    }

    private void requestRead(H2Request request) {
        acceptedAtFirstRequest.compareAndSet(-1, acceptedConnections());
        requests.add(request);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** {@code https://127.0.0.1:port/path}, or {@code http://} for h2c. */
    public URI uri(String path) {
        return URI.create((config.mode().tls() ? "https" : "http") + "://127.0.0.1:" + port() + path);
    }

    // Knobs: from now on.

    public void script(H2Script script) {
        knobs.script(script);
    }

    /** The next {@code streams} new streams, on any connection, get RST_STREAM(REFUSED_STREAM) at their HEADERS. */
    public void refuseNextStreams(int streams) {
        knobs.refuseNext(streams);
    }

    /** False: request bodies get no more WINDOW_UPDATE (window starvation). */
    public void windowUpdates(boolean send) {
        knobs.windowUpdates(send);
    }

    /** SETTINGS_MAX_CONCURRENT_STREAMS for new connections, and a SETTINGS frame saying it on every open one. */
    public void maxConcurrentStreams(long streams) {
        knobs.maxConcurrentStreams(streams);
        for (H2ServerConnection connection : connections) {
            if (connection.isOpen() && connection.speaksHttp2()) {
                connection.maxConcurrentStreams(streams);
            }
        }
    }

    /** Closes every open connection at once, without GOAWAY. */
    public void closeConnections() {
        connections.forEach(H2ServerConnection::close);
    }

    // Witnesses.

    public List<H2ServerConnection> connections() {
        return List.copyOf(connections);
    }

    /** The {@code id}th connection accepted, 1 first. */
    public H2ServerConnection connection(int id) {
        return connections.get(id - 1);
    }

    public int acceptedConnections() {
        return connections.size();
    }

    public int closedConnections() {
        return closedConnections.get();
    }

    /** Connections accepted when the first request was read whole; -1 before. */
    public int acceptedConnectionsAtFirstRequest() {
        return acceptedAtFirstRequest.get();
    }

    /** Streams the clients opened, refused ones included, over every connection. */
    public int streamsOpened() {
        return sum(c -> c.wire().streamsOpened());
    }

    /** Streams open now, over every connection. */
    public int openStreams() {
        return concurrency.open();
    }

    /** The most streams ever open at once, all connections together. */
    public int peakOpenStreams() {
        return concurrency.peak();
    }

    /** The most streams ever open at once on any one connection. */
    public int peakOpenStreamsOnAConnection() {
        return connections.stream().mapToInt(c -> c.wire().peakOpenStreams()).max().orElse(0);
    }

    public List<H2Reset> resetsReceived() {
        return connections.stream().flatMap(c -> c.wire().resetsReceived().stream()).toList();
    }

    public List<H2Reset> resetsSent() {
        return connections.stream().flatMap(c -> c.wire().resetsSent().stream()).toList();
    }

    public long resetsSent(Http2Error error) {
        return resetsSent().stream().filter(r -> r.errorCode() == error.code()).count();
    }

    public int pingsReceived() {
        return sum(c -> c.wire().pingsReceived());
    }

    public int goAwaysSent() {
        return sum(c -> c.wire().goAwayLastStreamIds().size());
    }

    /** Requests read whole, in the order they ended, over every connection. */
    public List<H2Request> requests() {
        return List.copyOf(requests);
    }

    /** The protocol each connection agreed on by ALPN, in accept order ("" for none). */
    public List<String> applicationProtocols() {
        return connections.stream().map(H2ServerConnection::applicationProtocol).toList();
    }

    private int sum(ToIntFunction<H2ServerConnection> count) {
        return connections.stream().mapToInt(count).sum();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            listener.close().sync();
            for (H2ServerConnection connection : connections) {
                connection.close();
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    @Override
    public String toString() {
        return "H2Server(" + config.mode() + ", port " + port() + ", " + connections + ")";
    }
}
