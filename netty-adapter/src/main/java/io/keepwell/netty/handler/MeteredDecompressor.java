package io.keepwell.netty.handler;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;

/**
 * Netty's gzip/deflate decompressor, which also tells the reader when a response is compressed so
 * the reader can hold its decompressed size to the limit (a gzip bomb ends typed, not in an
 * out-of-memory error).
 */
final class MeteredDecompressor extends HttpContentDecompressor {

    private final ExchangeReader reader;

    MeteredDecompressor(ExchangeReader reader) {
        // No per-chunk cap: one decoded chunk (at most 16 KiB in) inflates to at most about 16 MiB,
        // and the reader holds the total to the limit, failing with a typed BodyTooLargeException.
        super(false, 0);
        this.reader = reader;
    }

    @Override
    protected EmbeddedChannel newContentDecoder(String contentEncoding) throws Exception {
        EmbeddedChannel decoder = super.newContentDecoder(contentEncoding);
        if (decoder != null) {
            reader.responseIsCompressed();
        }
        return decoder;
    }
}
