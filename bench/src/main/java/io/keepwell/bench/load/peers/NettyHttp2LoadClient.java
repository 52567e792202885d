package io.keepwell.bench.load.peers;

import io.keepwell.bench.load.Http2Options;
import io.keepwell.bench.load.LoadClient;
import io.keepwell.bench.load.LoadOptions;
import io.keepwell.bench.load.VersionWitness;
import io.keepwell.netty.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Promise;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 ceiling for any Netty-based client: bare Netty 4.2.18 with {@code Http2FrameCodec}
 * and {@code Http2MultiplexHandler}, the run's N connections opened up front (TLS with ALPN h2,
 * trusting the run's certificate with hostname verification on, or h2c with prior knowledge),
 * lane i on connection i mod N, one child stream channel per request, no pool, no timeouts, no
 * retries. New streams above the server's SETTINGS_MAX_CONCURRENT_STREAMS wait in Netty's
 * stream-buffering encoder. Windows: the stream window in SETTINGS, the connection window raised
 * by one WINDOW_UPDATE; child channels return consumed bytes themselves.
 */
public final class NettyHttp2LoadClient implements LoadClient {

    private final EventLoopGroup group;
    private final boolean epoll;
    private final Channel[] connections;
    private final Http2Headers headers;
    private final byte[] body;
    private final VersionWitness versions = new VersionWitness();
    private int nextLane; // guarded by this

    public NettyHttp2LoadClient(LoadOptions options, URI target, byte[] body) throws Exception {
        Http2Options h2 = options.http2();
        this.epoll = options.transport() != Transport.NIO && Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("bare-netty-h2", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.body = body;
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        this.headers = new DefaultHttp2Headers()
                .method(options.method())
                .path(path)
                .scheme(h2.tls() ? "https" : "http")
                .authority(target.getHost() + ":" + target.getPort());
        if (body != null) {
            headers.setInt("content-length", body.length);
        }
        try {
            SslContext ssl = h2.tls() ? clientSslContext(h2) : null;
            Class<? extends SocketChannel> channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
            this.connections = new Channel[h2.connections()];
            for (int i = 0; i < connections.length; i++) {
                connections[i] = connect(new Bootstrap().group(group).channel(channelClass)
                        .option(ChannelOption.TCP_NODELAY, true), target, ssl, h2);
            }
        } catch (Exception | Error e) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static SslContext clientSslContext(Http2Options h2) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(h2.requireTrust())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
    }

    /** One connection, ready for streams (h2 negotiated or the h2c preface sent), within 10 s. */
    private Channel connect(Bootstrap bootstrap, URI target, SslContext ssl, Http2Options h2) throws Exception {
        Promise<Channel> ready = group.next().newPromise();
        bootstrap.handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (ssl == null) {
                    addHttp2(ch.pipeline(), h2);
                    return;
                }
                SslHandler tls = ssl.newHandler(ch.alloc(), target.getHost(), target.getPort());
                SSLEngine engine = tls.engine();
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(parameters);
                ch.pipeline().addLast(tls, new ApplicationProtocolNegotiationHandler("none") {
                    @Override
                    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                            addHttp2(ctx.pipeline(), h2);
                            ready.trySuccess(ctx.channel());
                        } else {
                            ready.tryFailure(new SSLException("the server did not negotiate h2 but " + protocol));
                            ctx.close();
                        }
                    }

                    @Override
                    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                        ready.tryFailure(cause);
                        ctx.close();
                    }
                });
            }
        });
        bootstrap.connect(target.getHost(), target.getPort()).addListener(f -> {
            if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
            } else if (ssl == null) {
                ready.trySuccess(((io.netty.channel.ChannelFuture) f).channel());
            }
        });
        if (!ready.await(10, TimeUnit.SECONDS)) {
            throw new java.util.concurrent.TimeoutException("no HTTP/2 connection to " + target + " in 10 s");
        }
        if (!ready.isSuccess()) {
            throw new java.io.IOException("could not connect to " + target, ready.cause());
        }
        return ready.getNow();
    }

    private static void addHttp2(ChannelPipeline pipeline, Http2Options h2) {
        pipeline.addLast(Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().initialWindowSize(h2.streamWindow()).pushEnabled(false))
                .encoderEnforceMaxConcurrentStreams(true)
                .build());
        pipeline.addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        pipeline.addLast(new ConnectionWindow(h2.connectionWindow()));
    }

    /** Raises the connection's receive window from the spec's 65535 once the codec is up. */
    private static final class ConnectionWindow extends ChannelInboundHandlerAdapter {
        private final int window;

        ConnectionWindow(int window) {
            this.window = window;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                raise(ctx);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.fireChannelActive();
            raise(ctx);
        }

        private void raise(ChannelHandlerContext ctx) {
            int delta = window - 65_535;
            if (delta > 0) {
                ctx.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame(delta));
            }
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public String name() {
        return "netty";
    }

    @Override
    public String transport() {
        return epoll ? "EPOLL" : "NIO";
    }

    @Override
    public String responseVersion() {
        return versions.get();
    }

    @Override
    public Sender sender(Callback callback) {
        Channel connection;
        synchronized (this) {
            connection = connections[nextLane++ % connections.length];
        }
        return new Lane(connection, callback);
    }

    /**
     * One stream in flight; the lane is the handler of each of its stream channels in turn. The
     * next stream opens from the previous one's last frame, before that channel has closed, so
     * every event is checked against {@code current}: the old channel's close is not the new
     * stream's failure.
     */
    @ChannelHandler.Sharable
    private final class Lane extends ChannelInboundHandlerAdapter implements Sender {
        private final Http2StreamChannelBootstrap streams;
        private final Callback callback;
        // event loop of the connection only:
        private Channel current; // the stream channel in flight, or null
        private int status;

        Lane(Channel connection, Callback callback) {
            this.streams = new Http2StreamChannelBootstrap(connection).handler(this);
            this.callback = callback;
        }

        @Override
        public void send() {
            streams.open().addListener(f -> {
                if (!f.isSuccess()) {
                    callback.completed(0, f.cause());
                    return;
                }
                Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                current = stream;
                status = 0;
                if (body == null) {
                    stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true), stream.voidPromise());
                } else {
                    stream.write(new DefaultHttp2HeadersFrame(headers, false), stream.voidPromise());
                    stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true), stream.voidPromise());
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ctx.channel() != current) {
                ReferenceCountUtil.release(msg);
                return;
            }
            boolean end = false;
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    if (status == 0 && h.headers().status() != null) {
                        status = Integer.parseInt(h.headers().status().toString());
                    }
                    end = h.isEndStream();
                } else if (msg instanceof Http2DataFrame d) {
                    end = d.isEndStream();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (end) {
                current = null;
                versions.saw(VersionWitness.HTTP_2);
                callback.completed(status, null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == current) {
                current = null;
                callback.completed(0, new ClosedChannelException());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel() == current) {
                current = null;
                callback.completed(0, cause);
            }
            ctx.close();
        }
    }

    @Override
    public void close() throws Exception {
        for (Channel c : connections) {
            c.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }
}
