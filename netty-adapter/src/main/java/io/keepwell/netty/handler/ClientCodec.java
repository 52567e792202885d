package io.keepwell.netty.handler;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;

/**
 * Netty's {@code HttpClientCodec} cut to what Keepwell needs (one request at a time, no CONNECT, no
 * upgrade), plus the one thing it cannot tell: how many bytes the decoder holds beyond the message
 * it has decoded. Bytes after a response's framed end belong to no request; left in the decoder they
 * would be read as the start of the next request's response (Go checks {@code br.Buffered()}).
 */
final class ClientCodec extends CombinedChannelDuplexHandler<ClientCodec.ResponseDecoder, HttpRequestEncoder> {

    ClientCodec(HttpDecoderConfig config, ExchangeReader reader) {
        init(new ResponseDecoder(config, reader), new HttpRequestEncoder());
    }

    /** Received bytes not yet decoded into a message; event loop only. */
    int bufferedBytes() {
        return inboundHandler().bufferedBytes();
    }

    static final class ResponseDecoder extends HttpResponseDecoder {
        private final ExchangeReader reader;

        ResponseDecoder(HttpDecoderConfig config, ExchangeReader reader) {
            super(config.clone().setHeadersFactory(CompactHttpHeaders.VALIDATED).setTrailersFactory(CompactHttpHeaders.VALIDATED));
            this.reader = reader;
        }

        /** A common name is the shared instance, not a copy of its bytes. */
        @Override
        protected AsciiString splitHeaderName(byte[] line, int start, int length) {
            AsciiString shared = ResponseHeaderNames.lookup(line, start, length);
            return shared != null ? shared : super.splitHeaderName(line, start, length);
        }

        /** A final response to HEAD has no body, whatever its headers say (what {@code HttpClientCodec} learns from its queue). */
        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            int code = ((HttpResponse) msg).status().code();
            if (code >= 200 && code != 204 && reader.awaitsHeadResponse()) {
                return true;
            }
            boolean empty = super.isContentAlwaysEmpty(msg);
            if (empty && (code < 200 || code == 204) && HttpUtil.isTransferEncodingChunked(msg)) {
                reader.chunksAnnouncedWhereNoneAllowed(); // Netty strips the header next
            }
            return empty;
        }

        /**
         * Content-Length with chunked: Netty refuses it only while the system property
         * {@code io.netty.handler.codec.http.rfc9112TransferEncoding} is true (the default), and
         * otherwise drops the Content-Length silently. Always refused here (RFC 9112 section 6.3).
         */
        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            throw new ContentLengthNotAllowedException("response has both Content-Length and Transfer-Encoding: chunked");
        }

        int bufferedBytes() {
            return actualReadableBytes();
        }
    }
}
