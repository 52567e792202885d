package io.keepwell.netty.dns;

import io.netty.channel.EventLoop;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.util.concurrent.Future;

import java.net.InetAddress;
import java.util.List;

/** Answers from the hosts table when it names the host, and asks {@code next} only when it does not. */
final class HostsFirstResolver implements HostResolver {

    private final HostsTable hosts;
    private final ResolvedAddressTypes types;
    private final HostResolver next;

    HostsFirstResolver(HostsTable hosts, ResolvedAddressTypes types, HostResolver next) {
        this.hosts = hosts;
        this.types = types;
        this.next = next;
    }

    @Override
    public Future<List<InetAddress>> resolveAll(String host, EventLoop loop) {
        List<InetAddress> listed = hosts.lookup(host, types);
        return listed != null ? loop.newSucceededFuture(listed) : next.resolveAll(host, loop);
    }

    @Override
    public void close() {
        next.close();
    }
}
