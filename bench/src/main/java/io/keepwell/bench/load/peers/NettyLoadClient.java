package io.keepwell.bench.load.peers;

import io.keepwell.bench.load.LoadClient;
import io.keepwell.bench.load.LoadOptions;
import io.keepwell.netty.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling for any Netty-based client: bare Netty 4.2.18 with {@code HttpClientCodec} and one
 * handler, one persistent connection per lane, no pool, no timeouts, no policy. A lane connects on
 * its first request and again only after its connection dies. Whatever Keepwell costs beyond this
 * is the price of its pool, verdicts, timers and typed errors.
 */
public final class NettyLoadClient implements LoadClient {

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final boolean epoll;
    private final URI target;
    private final HttpMethod method;
    private final byte[] body;
    private final String host;

    public NettyLoadClient(LoadOptions options, URI target, byte[] body) {
        this.epoll = options.transport() != Transport.NIO && Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("bare-netty", true),
                epoll ? (io.keepwell.bench.util.SpinSelect.fromProperty() == null ? EpollIoHandler.newFactory() : EpollIoHandler.newFactory(0, io.keepwell.bench.util.SpinSelect.fromProperty())) : NioIoHandler.newFactory());
        Class<? extends SocketChannel> channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.bootstrap = new Bootstrap().group(group).channel(channelClass).option(ChannelOption.TCP_NODELAY, true);
        this.target = target;
        this.method = HttpMethod.valueOf(options.method());
        this.body = body;
        this.host = target.getHost() + ":" + target.getPort();
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
    public Sender sender(Callback callback) {
        return new Lane(callback);
    }

    /** One connection and one request in flight; the handler is the lane itself. */
    private final class Lane extends SimpleChannelInboundHandler<HttpObject> implements Sender {
        private final Callback callback;
        private Channel channel;
        private int status;
        private boolean inFlight;

        Lane(Callback callback) {
            this.callback = callback;
        }

        @Override
        public boolean isSharable() {
            return true; // the lane's connection is replaced after it dies; one is live at a time
        }

        @Override
        public void send() {
            Channel ch = channel;
            if (ch != null && ch.isActive()) {
                write(ch);
                return;
            }
            bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel c) {
                    c.pipeline().addLast(new HttpClientCodec(), Lane.this);
                }
            }).connect(target.getHost(), target.getPort()).addListener(f -> {
                if (f.isSuccess()) {
                    Channel connected = ((io.netty.channel.ChannelFuture) f).channel();
                    channel = connected;
                    write(connected);
                } else {
                    callback.completed(0, f.cause());
                }
            });
        }

        private void write(Channel ch) {
            ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, target.getRawPath().isEmpty() ? "/" : target.getRawPath(), content);
            request.headers().set(HttpHeaderNames.HOST, host);
            if (body != null) {
                request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            }
            inFlight = true;
            ch.writeAndFlush(request, ch.voidPromise());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
            if (msg instanceof LastHttpContent && inFlight) {
                inFlight = false;
                callback.completed(status, null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (inFlight) {
                inFlight = false;
                callback.completed(0, new ClosedChannelException());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() throws Exception {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }
}
