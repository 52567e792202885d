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
 * @param abandonedBodyTimeout  how long a body may wait with no demand from its subscriber
 * @param aggregationLimit      largest body a handler may hold in memory whole
 * @param discardBudget         largest body drained to keep the connection when the caller discards it
 * @param bodyBuffer            measures body bytes waiting for demand
 */
public record ChannelSettings(HttpDecoderConfig decoder, Duration connectTimeout, Duration responseHeaderTimeout,
                              Duration readTimeout, Duration abandonedBodyTimeout, long aggregationLimit,
                              long discardBudget, BodyBufferGauge bodyBuffer) {
}
