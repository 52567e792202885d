package io.keepwell.netty;

/** Which Netty transport carries the client's sockets. */
public enum Transport {
    /** Native epoll when it is available on this machine, NIO otherwise. */
    AUTO,
    /** Native epoll (Linux); building a client fails if it is unavailable. */
    EPOLL,
    /** Java NIO, available everywhere. */
    NIO
}
