package io.keepwell.netty.dns;

import io.netty.resolver.HostsFileEntriesProvider;
import io.netty.resolver.ResolvedAddressTypes;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The addresses a hosts file gives its names, parsed once by Netty's parser; a missing or unreadable
 * file gives none. Looked up before any name server, with every address of the name, the preferred
 * family first (Netty's own hosts resolver hands a custom table's caller one address only).
 */
final class HostsTable {

    private final Map<String, List<InetAddress>> ipv4;
    private final Map<String, List<InetAddress>> ipv6;

    private HostsTable(HostsFileEntriesProvider entries) {
        this.ipv4 = entries.ipv4Entries();
        this.ipv6 = entries.ipv6Entries();
    }

    static HostsTable read(Path file) {
        return new HostsTable(HostsFileEntriesProvider.parser().parseSilently(file.toFile(), StandardCharsets.UTF_8));
    }

    /** The name's addresses in {@code types}' order, or null if the file does not name it. */
    List<InetAddress> lookup(String host, ResolvedAddressTypes types) {
        String name = normalize(host);
        List<InetAddress> v4 = types == ResolvedAddressTypes.IPV6_ONLY ? List.of() : ipv4.getOrDefault(name, List.of());
        List<InetAddress> v6 = types == ResolvedAddressTypes.IPV4_ONLY ? List.of() : ipv6.getOrDefault(name, List.of());
        if (v4.isEmpty() && v6.isEmpty()) {
            return null;
        }
        List<InetAddress> all = new ArrayList<>(v4.size() + v6.size());
        boolean v6First = types == ResolvedAddressTypes.IPV6_PREFERRED || types == ResolvedAddressTypes.IPV6_ONLY;
        all.addAll(v6First ? v6 : v4);
        all.addAll(v6First ? v4 : v6);
        return List.copyOf(all);
    }

    /** Netty's parser keeps names in lower case; a trailing dot names the same host. */
    private static String normalize(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
