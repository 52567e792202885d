package io.keepwell.netty.handler;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;

import java.time.Duration;
import javax.net.ssl.SSLParameters;

/**
 * What every channel of a client is built with: the decoder's limits and the exchange timeouts.
 *
 * @param decoder               the response decoder's limits
 * @param connectTimeout        limit on establishing a connection
 * @param responseHeaderTimeout limit from the request's last byte to the response headers
 * @param readTimeout           limit on a gap between two reads of a response body
 * @param abandonedBodyTimeout  how long a body may wait with no demand from its subscriber
 * @param maxResponseBodySize   largest response body accepted, whatever the handler ({@code Long.MAX_VALUE}: no limit)
 * @param bodyBuffer            measures body bytes waiting for demand
 * @param tls                   the TLS context for https connections
 * @param tlsParameters         the caller's TLS parameters, or {@code null}
 * @param handshakeTimeout      limit on the TLS handshake
 * @param hostnameVerification  whether the server's certificate must name the host of the URI
 * @param decompression         whether gzip and deflate responses are asked for and decoded
 * @param maxDecompressedSize   largest decompressed body accepted
 * @param expectContinueTimeout how long a request with {@code Expect: 100-continue} waits before sending its body anyway
 * @param writeTimeout          limit on a gap in writing a request: time with no request byte reaching the socket
 */
public record ChannelSettings(HttpDecoderConfig decoder, Duration connectTimeout, Duration responseHeaderTimeout,
                              Duration readTimeout, Duration abandonedBodyTimeout, long maxResponseBodySize,
                              BodyBufferGauge bodyBuffer, SslContext tls, SSLParameters tlsParameters,
                              Duration handshakeTimeout, boolean hostnameVerification,
                              boolean decompression, long maxDecompressedSize, Duration expectContinueTimeout,
                              Duration writeTimeout) {
}
