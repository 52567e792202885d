package io.keepwell.netty;

import io.keepwell.netty.handler.BodyBufferGauge;
import io.keepwell.netty.handler.ChannelSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;

import java.util.List;
import java.util.concurrent.ExecutionException;

/** The client's test hooks, which its public type does not show; shipped in the test jar only. */
public final class ClientInternals {

    private ClientInternals() {
    }

    /** What every channel of a client built now from {@code builder} would be set up with. */
    public static ChannelSettings channelSettings(KeepwellHttpClient.Builder builder, BodyBufferGauge bodyBuffer) {
        return builder.channelSettings(bodyBuffer);
    }

    /** Fault injection at the transport boundary: the client opens its channels with {@code factory}. */
    public static KeepwellHttpClient.Builder channelFactory(KeepwellHttpClient.Builder builder,
                                                            ChannelFactory<? extends Channel> factory) {
        return builder.channelFactory(factory);
    }

    /** Name resolution by {@code resolver} (a scripted one), instead of the client's own. */
    public static KeepwellHttpClient.Builder hostResolver(KeepwellHttpClient.Builder builder, io.keepwell.netty.dns.HostResolver resolver) {
        return builder.hostResolver(resolver);
    }

    /** The resolver files the client reads instead of {@code /etc/resolv.conf} and {@code /etc/hosts}. */
    public static KeepwellHttpClient.Builder resolverFiles(KeepwellHttpClient.Builder builder, java.nio.file.Path resolvConf,
                                                           java.nio.file.Path hostsFile) {
        return builder.resolverFiles(resolvConf, hostsFile);
    }

    /** Connect attempts closed because another address of the same name connected first. */
    public static long abandonedConnectAttempts(KeepwellHttpClient client) {
        return client.abandonedConnectAttempts();
    }

    /** Channels with a write, response-header or read timer scheduled; with no exchange in flight it must be 0. */
    public static int armedExchangeTimers(KeepwellHttpClient client) throws InterruptedException, ExecutionException {
        return client.armedExchangeTimers();
    }

    /**
     * What the client's HTTP/2 connections still hold with no exchange in flight: slots of streams
     * reset by this side still waiting for a PING ack, and received bytes not given back to a
     * connection's window. Empty when clean.
     */
    public static String http2Residue(KeepwellHttpClient client) throws InterruptedException, ExecutionException {
        return client.http2Residue();
    }

    /** The channels currently idle in the client's pool. */
    public static List<Channel> idleChannels(KeepwellHttpClient client) {
        return client.idleChannels();
    }
}
