package io.keepwell.it.support.h2;

import io.netty.handler.codec.http2.Http2Error;

/** One RST_STREAM frame on the wire. */
public record H2Reset(int connectionId, int streamId, long errorCode) {

    /** The code's name, or null for a code RFC 9113 does not define. */
    public Http2Error error() {
        return Http2Error.valueOf(errorCode);
    }
}
