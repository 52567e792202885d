/**
 * Keepwell's Netty transport: {@link io.keepwell.netty.KeepwellHttpClient}, a
 * {@code java.net.http.HttpClient} on Netty 4.2. Its handlers, pool bridge and event loops are
 * internal.
 */
module io.keepwell.netty {
    requires transitive io.keepwell.core;
    requires transitive java.net.http;
    requires transitive io.netty.handler;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.codec.http2;
    requires io.netty.resolver;
    requires io.netty.resolver.dns;
    requires io.netty.codec.dns;
    requires io.netty.handler.proxy;
    requires io.netty.codec.socks;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;

    exports io.keepwell.netty;
}
