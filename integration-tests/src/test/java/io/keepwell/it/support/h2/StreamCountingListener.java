package io.keepwell.it.support.h2;

import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Stream;

/** Counts the client's streams as Netty's connection state opens and closes them. */
final class StreamCountingListener extends Http2ConnectionAdapter {

    private final Http2Connection connection;
    private final H2WireLog log;

    StreamCountingListener(Http2Connection connection, H2WireLog log) {
        this.connection = connection;
        this.log = log;
    }

    @Override
    public void onStreamActive(Http2Stream stream) {
        if (clientStream(stream)) {
            log.streamActive();
        }
    }

    @Override
    public void onStreamClosed(Http2Stream stream) {
        if (clientStream(stream)) {
            log.streamClosed();
        }
    }

    private boolean clientStream(Http2Stream stream) {
        return connection.remote().isValidStreamId(stream.id());
    }
}
