package io.keepwell.netty.handler;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;

/** Builds one connection's pipeline: guard, codec, writer, reader. */
public final class PipelineInitializer extends ChannelInitializer<Channel> {

    public static final String GUARD = "idle-guard";
    public static final String CODEC = "codec";
    public static final String WRITER = "writer";
    public static final String READER = "reader";

    private final ConnectionContext cx;
    private final HttpDecoderConfig decoderConfig;

    public PipelineInitializer(ConnectionContext cx, HttpDecoderConfig decoderConfig) {
        this.cx = cx;
        this.decoderConfig = decoderConfig;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.attr(ConnectionContext.KEY).set(cx);
        ExchangeReader reader = new ExchangeReader(cx);
        ChannelPipeline p = ch.pipeline();
        p.addLast(GUARD, new IdleReadGuard(cx, reader));
        p.addLast(CODEC, new ClientCodec(decoderConfig, reader));
        p.addLast(WRITER, new ExchangeWriter());
        p.addLast(READER, reader);
    }

    /** The reader of a Keepwell channel. */
    public static ExchangeReader reader(Channel ch) {
        return (ExchangeReader) ch.pipeline().get(READER);
    }
}
