package io.keepwell.it.support.h2;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;

import java.util.function.Consumer;

/** Installs the protocol handlers on an accepted connection's channel. */
final class H2Pipelines {

    private static final int MAX_HTTP1_REQUEST = 16 << 20;

    private final H2Knobs knobs;
    private final int initialWindowSize;
    private final Consumer<H2Request> requestLog;

    H2Pipelines(H2Knobs knobs, int initialWindowSize, Consumer<H2Request> requestLog) {
        this.knobs = knobs;
        this.initialWindowSize = initialWindowSize;
        this.requestLog = requestLog;
    }

    void speakHttp2(Channel channel, H2ServerConnection connection, String protocol) {
        Http2Settings settings = new Http2Settings().maxConcurrentStreams(knobs.maxConcurrentStreams()).initialWindowSize(initialWindowSize);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .frameLogger(new H2FrameWitness(connection.wire()))
                .autoAckPingFrame(false) // H2StreamResponder acks, unless silenced
                .decoupleCloseAndGoAway(true) // close() closes now; a GOAWAY is the test's to send
                .build();
        codec.connection().addListener(new StreamCountingListener(codec.connection(), connection.wire()));
        connection.spoke(protocol, codec);
        channel.pipeline().addLast(codec, new H2StreamResponder(connection, codec.connection(), knobs, requestLog));
    }

    void speakHttp1(Channel channel, H2ServerConnection connection, String protocol) {
        connection.spoke(protocol);
        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_HTTP1_REQUEST),
                new Http1Responder(connection.id(), knobs, requestLog));
    }
}
