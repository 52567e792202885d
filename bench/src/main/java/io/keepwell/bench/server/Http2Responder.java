package io.keepwell.bench.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.AsciiString;

import javax.net.ssl.SSLException;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The embedded server's HTTP/2 side: Netty's {@link Http2ConnectionHandler} with a frame listener
 * on the connection's channel (no child channel per stream, as in Netty's own hello-world h2
 * server), so the server spends as little per stream as Netty allows. Every stream whose request
 * ends gets one HEADERS frame (200, content-type, content-length, shared and never modified) and,
 * unless the request was HEAD, one DATA frame with the body and END_STREAM. Request DATA is
 * returned to the flow controller as soon as it is read (the listener reports it processed), so
 * the client's windows refill. Event loop only, one handler per connection.
 */
final class Http2Responder extends Http2ConnectionHandler {

    /** What every connection of one server shares. */
    record Settings(int maxConcurrentStreams, int streamWindow, int connectionWindow, ByteBuf body, int bodySize,
                    LongAdder requests, AtomicInteger openConnections, AtomicInteger acceptedConnections) {
        Http2Headers responseHeaders() {
            return new DefaultHttp2Headers()
                    .status(AsciiString.of("200"))
                    .set(AsciiString.of("content-type"), AsciiString.of("text/plain"))
                    .setInt(AsciiString.of("content-length"), bodySize);
        }
    }

    private final Settings settings;
    private final Http2Headers headers;
    private boolean connectionWindowRaised;

    private Http2Responder(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initial,
                           Settings settings, Http2Headers headers) {
        super(decoder, encoder, initial);
        this.settings = settings;
        this.headers = headers;
    }

    /** TLS: the handshake's ALPN picks h2 (the only protocol offered), then the h2 handler goes in. */
    static void initTls(SocketChannel ch, SslContext ssl, Settings settings) {
        ch.pipeline().addLast("counter", new ConnectionCounter(settings));
        ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
        ch.pipeline().addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    ctx.pipeline().addLast("h2", newHandler(settings));
                } else {
                    ctx.close(); // h2 only: a client that did not negotiate it is not measured over HTTP/1.1
                }
            }
        });
    }

    /** Cleartext with prior knowledge: the client's preface is the first thing on the wire. */
    static void initCleartext(SocketChannel ch, Settings settings) {
        ch.pipeline().addLast("counter", new ConnectionCounter(settings));
        ch.pipeline().addLast("h2", newHandler(settings));
    }

    /** The server's TLS context: its certificate, h2's cipher suites, ALPN offering h2 alone. */
    static SslContext serverSslContext(BenchCertificate certificate) {
        try {
            return SslContextBuilder.forServer(certificate.keyManagerFactory())
                    .sslProvider(SslProvider.JDK)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2))
                    .build();
        } catch (SSLException | GeneralSecurityException e) {
            throw new IllegalStateException("could not build the server's TLS context", e);
        }
    }

    private static Http2Responder newHandler(Settings settings) {
        return new Builder(settings).build();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx); // sends the preface (SETTINGS) when the channel is already active (TLS)
        if (ctx.channel().isActive()) {
            raiseConnectionWindow(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx); // sends the preface (cleartext)
        raiseConnectionWindow(ctx);
    }

    /** The connection window starts at 65535 by the spec; one WINDOW_UPDATE after the SETTINGS raises it. */
    private void raiseConnectionWindow(ChannelHandlerContext ctx) throws Http2Exception {
        if (connectionWindowRaised) {
            return;
        }
        connectionWindowRaised = true;
        Http2Stream connectionStream = connection().connectionStream();
        int delta = settings.connectionWindow() - connection().local().flowController().windowSize(connectionStream);
        if (delta > 0) {
            connection().local().flowController().incrementWindowSize(connectionStream, delta);
        }
        ctx.flush(); // the preface's SETTINGS and the update go out now, not at the first read's end
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset by the client, mostly; nothing to report
    }

    private void respond(ChannelHandlerContext ctx, int streamId, boolean head) {
        settings.requests().increment();
        Http2ConnectionEncoder encoder = encoder();
        if (head) {
            encoder.writeHeaders(ctx, streamId, headers, 0, true, ctx.newPromise());
        } else {
            encoder.writeHeaders(ctx, streamId, headers, 0, false, ctx.newPromise());
            encoder.writeData(ctx, streamId, settings.body().duplicate(), 0, true, ctx.newPromise());
        }
        // Http2ConnectionHandler flushes at the end of each read, so the answers to one read go out together.
    }

    /** The listener: answers at the request's end; a HEAD's method is remembered on the stream in between. */
    private static final class Listener extends Http2FrameAdapter {
        private Http2Responder handler;
        private Http2Connection.PropertyKey headKey;

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            onHeaders(ctx, streamId, headers, endOfStream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endOfStream) {
            onHeaders(ctx, streamId, headers, endOfStream);
        }

        private void onHeaders(ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream) {
            boolean head = AsciiString.contentEquals("HEAD", headers.method());
            if (endOfStream) {
                handler.respond(ctx, streamId, head);
            } else if (head) {
                Http2Stream stream = handler.connection().stream(streamId);
                if (stream != null) {
                    stream.setProperty(headKey, Boolean.TRUE);
                }
            }
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding; // returned to the flow controller at once
            if (endOfStream) {
                Http2Stream stream = handler.connection().stream(streamId);
                handler.respond(ctx, streamId, stream != null && stream.getProperty(headKey) != null);
            }
            return processed;
        }
    }

    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2Responder, Builder> {
        private final Settings settings;
        private final Listener listener = new Listener();

        Builder(Settings settings) {
            this.settings = settings;
            server(true);
            initialSettings(Http2Settings.defaultSettings()
                    .maxConcurrentStreams(settings.maxConcurrentStreams())
                    .initialWindowSize(settings.streamWindow()));
            frameListener(listener);
        }

        @Override
        public Http2Responder build() {
            return super.build();
        }

        @Override
        protected Http2Responder build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
            Http2Responder h = new Http2Responder(decoder, encoder, initialSettings, settings, settings.responseHeaders());
            listener.handler = h;
            listener.headKey = h.connection().newKey();
            return h;
        }
    }

    /** Counts connections for the server's {@code openConnections()} and {@code acceptedConnections()}. */
    private static final class ConnectionCounter extends ChannelInboundHandlerAdapter {
        private final Settings settings;

        ConnectionCounter(Settings settings) {
            this.settings = settings;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            settings.openConnections().incrementAndGet();
            settings.acceptedConnections().incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            settings.openConnections().decrementAndGet();
            ctx.fireChannelInactive();
        }
    }
}
