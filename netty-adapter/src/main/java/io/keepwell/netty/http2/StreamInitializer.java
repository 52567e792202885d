package io.keepwell.netty.http2;

import io.keepwell.netty.handler.ChannelSettings;
import io.keepwell.netty.handler.ExchangeReader;
import io.keepwell.netty.handler.ExchangeWriter;
import io.keepwell.netty.handler.PipelineInitializer;
import io.keepwell.netty.handler.WriteMeter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * One stream's pipeline: the same write meter, writer and reader as an HTTP/1.1 connection's,
 * over Netty's frame-to-HTTP codec, so an exchange runs the same state machine on either.
 */
final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {

    static final String SIGNALS = "stream-signals";

    private final StreamCarrier carrier;
    private final ChannelSettings settings;

    StreamInitializer(StreamCarrier carrier, ChannelSettings settings) {
        this.carrier = carrier;
        this.settings = settings;
    }

    @Override
    protected void initChannel(Http2StreamChannel ch) {
        ExchangeReader reader = new ExchangeReader(carrier, settings);
        ChannelPipeline p = ch.pipeline();
        p.addLast(PipelineInitializer.METER, new WriteMeter());
        // Header names and values were checked before dispatch (RequestCheck); the frame codec validates what arrives.
        p.addLast(PipelineInitializer.CODEC, new Http2StreamFrameToHttpObjectCodec(false, false));
        p.addLast(SIGNALS, new StreamSignals(carrier));
        if (settings.decompression()) {
            p.addLast(PipelineInitializer.DECOMPRESSOR, PipelineInitializer.decompressor(reader));
        }
        p.addLast(PipelineInitializer.WRITER, new ExchangeWriter(settings.expectContinueTimeout(), settings.writeTimeout()));
        p.addLast(PipelineInitializer.READER, reader);
    }
}
