package io.keepwell.http;

import java.net.IDN;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A {@code NO_PROXY} list, read and matched as Go's {@code golang.org/x/net/http/httpproxy}
 * does: comma-separated entries, each trimmed and lower-cased, empty ones skipped; {@code *}
 * bypasses every host; an IP address (with an optional {@code :port}, {@code [v6]:port}) or a
 * CIDR range matches IP literals only; a domain name ({@code example.com}, with an optional
 * {@code :port}) matches itself and its subdomains, {@code .example.com} and
 * {@code *.example.com} its subdomains only. Entries it cannot read are ignored, as in Go.
 */
final class NoProxyList {

    /** One entry; matched against a lower-cased host, its port as text, and its address if it is an IP literal. */
    private interface Entry {
        boolean matches(String host, String port, byte[] ip);
    }

    private record Everything() implements Entry {
        @Override
        public boolean matches(String host, String port, byte[] ip) {
            return true;
        }
    }

    /** {@code address} as written: only its first {@code prefixBits} bits are compared. */
    private record Cidr(byte[] address, int prefixBits) implements Entry {
        @Override
        public boolean matches(String host, String port, byte[] ip) {
            if (ip == null || ip.length != address.length) {
                return false;
            }
            int whole = prefixBits / 8;
            for (int i = 0; i < whole; i++) {
                if (ip[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            int mask = (0xff << (8 - rest)) & 0xff;
            return rest == 0 || (ip[whole] & mask) == (address[whole] & mask);
        }
    }

    private record Ip(byte[] address, String port) implements Entry {
        @Override
        public boolean matches(String host, String port, byte[] ip) {
            return ip != null && Arrays.equals(address, ip) && (this.port.isEmpty() || this.port.equals(port));
        }
    }

    /** {@code suffix} starts with a dot; {@code matchesItself}: the entry had none, so the bare name matches too. */
    private record Domain(String suffix, String port, boolean matchesItself) implements Entry {
        @Override
        public boolean matches(String host, String port, byte[] ip) {
            if (ip != null) {
                return false;
            }
            boolean named = host.endsWith(suffix) || (matchesItself && host.equals(suffix.substring(1)));
            return named && (this.port.isEmpty() || this.port.equals(port));
        }
    }

    static final NoProxyList EMPTY = new NoProxyList(List.of(), List.of());

    private final List<Entry> entries;
    private final List<String> written; // the entries as given, trimmed, for toString

    private NoProxyList(List<Entry> entries, List<String> written) {
        this.entries = entries;
        this.written = written;
    }

    /** The list {@code commaSeparated} says; never fails. */
    static NoProxyList parse(String commaSeparated) {
        List<Entry> entries = new ArrayList<>();
        List<String> written = new ArrayList<>();
        for (String raw : commaSeparated.split(",", -1)) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            written.add(entry);
            if (entry.equals("*")) {
                return new NoProxyList(List.of(new Everything()), List.of("*"));
            }
            Entry parsed = parseEntry(entry);
            if (parsed != null) {
                entries.add(parsed);
            }
        }
        return new NoProxyList(List.copyOf(entries), List.copyOf(written));
    }

    /** Both lists' entries; {@code *} in either bypasses everything. */
    NoProxyList and(NoProxyList more) {
        if (entries.isEmpty() && written.isEmpty()) {
            return more;
        }
        if (more.entries.isEmpty() && more.written.isEmpty()) {
            return this;
        }
        if (more.entries.stream().anyMatch(e -> e instanceof Everything)) {
            return more;
        }
        if (entries.stream().anyMatch(e -> e instanceof Everything)) {
            return this;
        }
        List<Entry> allEntries = new ArrayList<>(entries);
        allEntries.addAll(more.entries);
        List<String> allWritten = new ArrayList<>(written);
        allWritten.addAll(more.written);
        return new NoProxyList(List.copyOf(allEntries), List.copyOf(allWritten));
    }

    private static Entry parseEntry(String entry) {
        int slash = entry.indexOf('/');
        if (slash >= 0) {
            Entry cidr = cidr(entry.substring(0, slash), entry.substring(slash + 1));
            if (cidr != null) {
                return cidr;
            }
        }
        String host = entry;
        String port = "";
        String[] split = splitHostPort(entry); // its host has no brackets: "[::1]:80" gives "::1"
        if (split != null) {
            host = split[0];
            port = split[1];
        }
        byte[] ip = IpLiteral.parse(host);
        if (ip != null) {
            return new Ip(ip, port);
        }
        if (host.isEmpty()) {
            return null; // ":80", "[]:80"
        }
        if (host.startsWith("*.")) {
            host = host.substring(1);
        }
        boolean matchesItself = host.charAt(0) != '.';
        return new Domain("." + ascii(matchesItself ? host : host.substring(1)), port, matchesItself);
    }

    /** A CIDR range as Go's {@code net.ParseCIDR} reads it (matching compares only its first bits); or null. */
    private static Entry cidr(String address, String bits) {
        byte[] ip = parseCidrAddress(address);
        int prefix = IpLiteral.decimal(bits, 128); // leading zeros allowed, as in Go
        if (ip == null || prefix < 0 || prefix > ip.length * 8) {
            return null;
        }
        if (ip.length == 16 && prefix >= 96 && IpLiteral.unmapped(ip).length == 4) {
            ip = IpLiteral.unmapped(ip); // ::ffff:a.b.c.d/n is the IPv4 range a.b.c.d/(n-96), as Go's Contains treats it
            prefix -= 96;
        }
        return new Cidr(ip, prefix);
    }

    /** The 4 or 16 bytes as written (an IPv4-mapped IPv6 address stays 16 bytes here), or null. */
    private static byte[] parseCidrAddress(String address) {
        byte[] ip = IpLiteral.parse(address);
        if (ip == null || ip.length == 16 || address.indexOf(':') < 0) {
            return ip;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(ip, 0, mapped, 12, 4);
        return mapped;
    }

    /** Go's {@code net.SplitHostPort}: {host, port}, or null when {@code text} is not host:port. */
    static String[] splitHostPort(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        String host;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 != colon) {
                return null; // "[v6]" with no port, or text after "]" that is not ":port"
            }
            host = text.substring(1, close);
            if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                return null;
            }
        } else {
            host = text.substring(0, colon);
            if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                return null;
            }
        }
        String port = text.substring(colon + 1);
        if (port.indexOf('[') >= 0 || port.indexOf(']') >= 0) {
            return null;
        }
        return new String[] {host, port};
    }

    private static String ascii(String name) {
        if (name.chars().allMatch(c -> c < 128)) {
            return name;
        }
        try {
            return IDN.toASCII(name, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return name; // as Go: a name IDNA refuses is kept as written
        }
    }

    /**
     * Whether requests to {@code host} on {@code port} bypass the proxy.
     *
     * @param host the URI's host, lower-cased, without brackets
     * @param port the port, explicit or the scheme's default, as text
     * @param ip   the host's bytes if it is an IP literal, else null
     */
    boolean bypasses(String host, String port, byte[] ip) {
        for (Entry entry : entries) {
            if (entry.matches(host, port, ip)) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return written.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(",", written);
    }
}
