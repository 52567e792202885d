package io.keepwell.netty.dns;

import io.netty.resolver.dns.DnsServerAddressStream;

import java.net.InetSocketAddress;

/**
 * A lookup's name servers, each asked up to {@code attempts} times as glibc's {@code attempts}
 * option means. Netty asks each server of a stream once per question (it stops at the stream's
 * size), so this stream is the servers' stream, cycled, with {@code attempts} times its size.
 */
final class AttemptsServerStream implements DnsServerAddressStream {

    private final DnsServerAddressStream servers;
    private final int attempts;

    AttemptsServerStream(DnsServerAddressStream servers, int attempts) {
        this.servers = servers;
        this.attempts = attempts;
    }

    @Override
    public InetSocketAddress next() {
        return servers.next(); // Netty's sequential and rotational streams cycle without end
    }

    @Override
    public int size() {
        return servers.size() * attempts;
    }

    @Override
    public DnsServerAddressStream duplicate() {
        return new AttemptsServerStream(servers.duplicate(), attempts);
    }
}
