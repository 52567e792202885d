package io.keepwell.netty.handler;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.keepwell.pool.PoolKey;
import io.netty.handler.ssl.SslHandler;

import io.netty.util.NetUtil;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.util.List;

/** Builds one connection's pipeline: write meter, TLS, guard, codec, writer, reader. */
public final class PipelineInitializer extends ChannelInitializer<Channel> {

    public static final String METER = "write-meter";
    public static final String TLS = "tls";
    public static final String GUARD = "idle-guard";
    public static final String CODEC = "codec";
    public static final String DECOMPRESSOR = "decompressor";
    public static final String WRITER = "writer";
    public static final String READER = "reader";

    private final ConnectionContext cx;
    private final ChannelSettings settings;

    public PipelineInitializer(ConnectionContext cx, ChannelSettings settings) {
        this.cx = cx;
        this.settings = settings;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.attr(ConnectionContext.KEY).set(cx);
        ExchangeReader reader = new ExchangeReader(cx, settings);
        ChannelPipeline p = ch.pipeline();
        PoolKey key = cx.pooled().key();
        p.addLast(METER, new WriteMeter());
        if (key.scheme().equals("https")) {
            p.addLast(TLS, tlsHandler(ch, key));
        }
        p.addLast(GUARD, new IdleReadGuard(cx, reader));
        p.addLast(CODEC, new ClientCodec(settings.decoder(), reader));
        if (settings.decompression()) {
            p.addLast(DECOMPRESSOR, new MeteredDecompressor(reader));
        }
        p.addLast(WRITER, new ExchangeWriter(settings.expectContinueTimeout(), settings.writeTimeout()));
        p.addLast(READER, reader);
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
