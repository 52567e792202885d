package io.keepwell.netty.handler;

import io.netty.handler.codec.http.HttpDecoderConfig;

import java.time.Duration;

/**
 * What every channel of a client is built with: the decoder's limits and the exchange timeouts.
 *
 * @param decoder               the response decoder's limits
 * @param connectTimeout        limit on establishing a connection
 * @param responseHeaderTimeout limit from the request's last byte to the response headers
 * @param readTimeout           limit on a gap between two reads of a response body
 */
public record ChannelSettings(HttpDecoderConfig decoder, Duration connectTimeout, Duration responseHeaderTimeout,
                              Duration readTimeout) {
}
