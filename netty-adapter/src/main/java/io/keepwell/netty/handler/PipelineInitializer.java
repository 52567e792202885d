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

    /** TLS with SNI and, unless switched off, hostname verification against the URI's host. */
    private SslHandler tlsHandler(Channel ch, PoolKey key) {
        SslHandler handler = settings.tls().newHandler(ch.alloc(), key.host(), key.port());
        handler.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        // Off is "", not null: the JDK's engine keeps its algorithm when given null, and the
        // context from tlsContextBuilder() (Keepwell's default) has set "HTTPS" on it already.
        parameters.setEndpointIdentificationAlgorithm(settings.hostnameVerification() ? "HTTPS" : "");
        if (!NetUtil.isValidIpV4Address(key.host()) && !NetUtil.isValidIpV6Address(key.host())) {
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
