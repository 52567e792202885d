package io.keepwell.netty.handler;

import io.keepwell.netty.http2.Http2Options;
import io.keepwell.netty.http2.Http2Pipeline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.concurrent.atomic.AtomicInteger;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.keepwell.pool.PoolKey;
import io.netty.handler.ssl.SslHandler;

import io.netty.util.NetUtil;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.util.List;

/**
 * Builds one connection's pipeline: write meter, TLS, then the protocol's handlers. For HTTP/1.1:
 * guard, codec, writer, reader. For HTTP/2 (chosen through ALPN, or h2c with prior knowledge): the
 * frame codec, multiplexer and connection guard, each stream getting its own writer and reader.
 * Over TLS the protocol is known once the handshake is done, so Netty's protocol negotiation
 * handler holds what arrives until the protocol's handlers are in place.
 */
public final class PipelineInitializer extends ChannelInitializer<Channel> {

    public static final String METER = "write-meter";
    public static final String TLS = "tls";
    public static final String GUARD = "idle-guard";
    public static final String CODEC = "codec";
    public static final String DECOMPRESSOR = "decompressor";
    public static final String WRITER = "writer";
    public static final String READER = "reader";
    public static final String PROTOCOL = "protocol";

    private final ConnectionContext cx;
    private final ChannelSettings settings;
    private final Http2Options http2;
    private final AtomicInteger openStreams;

    /** An HTTP/1.1-only pipeline; for harnesses that run it without a client. */
    public PipelineInitializer(ConnectionContext cx, ChannelSettings settings) {
        this(cx, settings, null, new AtomicInteger());
    }

    /** {@code http2} null: HTTP/1.1 only. */
    public PipelineInitializer(ConnectionContext cx, ChannelSettings settings, Http2Options http2, AtomicInteger openStreams) {
        this.cx = cx;
        this.settings = settings;
        this.http2 = http2;
        this.openStreams = openStreams;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.attr(ConnectionContext.KEY).set(cx);
        ChannelPipeline p = ch.pipeline();
        PoolKey key = cx.pooled().key();
        p.addLast(METER, new WriteMeter());
        if (key.scheme().equals("https")) {
            p.addLast(TLS, tlsHandler(ch, key));
            p.addLast(PROTOCOL, new ProtocolSelector());
        } else if (http2 != null && http2.priorKnowledge() && key.route().kind() != io.keepwell.pool.Route.Kind.HTTP_PROXY) {
            installHttp2(p);
        } else {
            installHttp1(p);
        }
    }

    /** Chooses the protocol's handlers once ALPN has spoken; what arrives meanwhile waits in it. */
    private final class ProtocolSelector extends ApplicationProtocolNegotiationHandler {
        ProtocolSelector() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (http2 != null && ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                installHttp2(ctx.pipeline());
            } else {
                installHttp1(ctx.pipeline());
                cx.readiness().http1();
            }
        }

        /** The connect's listener reports the handshake's failure; closing is all that is left here. */
        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        /** Before the protocol is chosen a failure can only end the connection, which its connect reports. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void installHttp2(ChannelPipeline p) {
        Http2Pipeline.install(p, cx, http2, settings, cx.readiness(), openStreams);
    }

    private void installHttp1(ChannelPipeline p) {
        ExchangeReader reader = new ExchangeReader(cx, settings);
        p.addLast(GUARD, new IdleReadGuard(cx, reader));
        p.addLast(CODEC, new ClientCodec(settings.decoder(), reader));
        if (settings.decompression()) {
            p.addLast(DECOMPRESSOR, new MeteredDecompressor(reader));
        }
        p.addLast(WRITER, new ExchangeWriter(settings.expectContinueTimeout(), settings.writeTimeout()));
        p.addLast(READER, reader);
        cx.reader(reader);
    }

    /**
     * TLS with SNI and, unless switched off, hostname verification against the URI's host. The
     * caller's parameters are applied first; ALPN, SNI and endpoint identification are then kept
     * unless they set their own.
     */
    private SslHandler tlsHandler(Channel ch, PoolKey key) {
        SslHandler handler = settings.tls().newHandler(ch.alloc(), key.host(), key.port());
        handler.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
        SSLEngine engine = handler.engine();
        String[] alpn = engine.getSSLParameters().getApplicationProtocols();
        SSLParameters given = settings.tlsParameters();
        if (given != null) {
            engine.setSSLParameters(given);
        }
        SSLParameters parameters = engine.getSSLParameters();
        if (parameters.getApplicationProtocols().length == 0) {
            parameters.setApplicationProtocols(alpn);
        }
        String algorithm = given != null && given.getEndpointIdentificationAlgorithm() != null
                ? given.getEndpointIdentificationAlgorithm() : "HTTPS";
        // Off is "", not null: the JDK's engine keeps its algorithm when given null.
        parameters.setEndpointIdentificationAlgorithm(settings.hostnameVerification() ? algorithm : "");
        boolean namesGiven = given != null && given.getServerNames() != null && !given.getServerNames().isEmpty();
        if (!namesGiven && !NetUtil.isValidIpV4Address(key.host()) && !NetUtil.isValidIpV6Address(key.host())) {
            // The JDK sends SNI only for dotted names on its own; single-label hosts need it too.
            parameters.setServerNames(List.of(new SNIHostName(key.host())));
        }
        engine.setSSLParameters(parameters);
        return handler;
    }

    /** The decompressor an exchange's pipeline uses when the client decodes compressed responses. */
    public static io.netty.channel.ChannelHandler decompressor(ExchangeReader reader) {
        return new MeteredDecompressor(reader);
    }

    /** The TLS handler of a channel, or {@code null} for plain TCP. */
    public static SslHandler tls(Channel ch) {
        return (SslHandler) ch.pipeline().get(TLS);
    }

    /** The writer of a Keepwell channel. */
    public static ExchangeWriter writer(Channel ch) {
        return (ExchangeWriter) ch.pipeline().get(WRITER);
    }

    /** The reader of a Keepwell channel. */
    public static ExchangeReader reader(Channel ch) {
        return (ExchangeReader) ch.pipeline().get(READER);
    }
}
