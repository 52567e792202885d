package io.keepwell.http;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link ProxyRules}' bypass list against a small reference model of Go's {@code NO_PROXY} rules:
 * random lists of name entries (exact, {@code .name}, {@code *.name}), address entries and CIDR
 * ranges (IPv4 and IPv6, the addresses written in several forms), with and without ports, in
 * random letter case and spacing, and random request URIs over the same small space of names,
 * addresses and ports, so that matches and near misses are both frequent. The model works on
 * label lists and small integers, not on the strings the rules parse. Nothing is resolved or
 * connected to.
 */
class NoProxyMatchingPropertyTest {

    private static final InetSocketAddress PROXY = InetSocketAddress.createUnresolved("proxy.test", 3128);
    private static final List<String> LABELS = List.of("a", "b", "c");
    private static final List<Integer> PORTS = List.of(0, 80, 8080); // 0: none written

    /** A host: a name of 1 to 3 labels, or an address of a family whose last byte varies. */
    record Host(List<String> labels, int family, int last) {
        boolean isName() {
            return family == 0;
        }

        String name() {
            return String.join(".", labels);
        }
    }

    /** An entry: star, a name (exact, dot-only, star-dot), an address, or a range of {@code prefix} bits. */
    record Entry(String kind, Host host, int prefix, int port, boolean upper, int spaces, int form) {
    }

    @Property(tries = 3000)
    void bypassAgreesWithTheModel(@ForAll("entries") List<Entry> entries, @ForAll("hosts") Host host,
                                  @ForAll("ports") int port) {
        StringBuilder list = new StringBuilder();
        for (Entry entry : entries) {
            list.append(" ".repeat(entry.spaces())).append(render(entry)).append(" ".repeat(entry.spaces() / 2)).append(',');
        }
        ProxyRules rules = ProxyRules.builder().http(PROXY).noProxy(list.toString()).build();
        URI uri = URI.create("http://" + uriHost(host) + (port == 0 ? "" : ":" + port) + "/");
        boolean bypassed = rules.select(uri).get(0) == Proxy.NO_PROXY;
        assertEquals(model(entries, host, port == 0 ? 80 : port), bypassed, "NO_PROXY=" + list + " for " + uri);
    }

    // --- the model ---

    private static boolean model(List<Entry> entries, Host host, int port) {
        for (Entry entry : entries) {
            if (matches(entry, host, port)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(Entry entry, Host host, int port) {
        boolean portFits = entry.port() == 0 || entry.port() == port;
        switch (entry.kind()) {
            case "star":
                return true;
            case "name", "dot", "stardot": {
                if (!host.isName() || !portFits) {
                    return false;
                }
                List<String> suffix = entry.host().labels();
                List<String> labels = host.labels();
                boolean same = labels.equals(suffix);
                boolean below = labels.size() > suffix.size()
                        && labels.subList(labels.size() - suffix.size(), labels.size()).equals(suffix);
                return below || (same && entry.kind().equals("name"));
            }
            case "ip":
                return !host.isName() && host.family() == entry.host().family() && host.last() == entry.host().last() && portFits;
            case "cidr": {
                if (host.isName() || host.family() != entry.host().family()) {
                    return false;
                }
                int varying = (host.family() == 4 ? 32 : 128) - entry.prefix(); // host bits, all within the last byte
                return (host.last() >> varying) == (entry.host().last() >> varying);
            }
            default:
                throw new AssertionError(entry.kind());
        }
    }

    // --- rendering ---

    private static String render(Entry entry) {
        String text = switch (entry.kind()) {
            case "star" -> "*";
            case "name" -> withPort(entry.host().name(), entry.port());
            case "dot" -> withPort("." + entry.host().name(), entry.port());
            case "stardot" -> withPort("*." + entry.host().name(), entry.port());
            case "ip" -> {
                String address = address(entry.host(), entry.form());
                yield entry.port() == 0 ? address
                        : (entry.host().family() == 6 ? "[" + address + "]" : address) + ":" + entry.port();
            }
            case "cidr" -> address(entry.host(), entry.form()) + "/" + entry.prefix();
            default -> throw new AssertionError(entry.kind());
        };
        return entry.upper() ? text.toUpperCase(Locale.ROOT) : text;
    }

    private static String withPort(String name, int port) {
        return port == 0 ? name : name + ":" + port;
    }

    private static String address(Host host, int form) {
        if (host.family() == 4) {
            return "192.0.2." + host.last();
        }
        return switch (form) {
            case 0 -> "2001:db8::" + Integer.toHexString(host.last());
            case 1 -> "2001:0db8:0:0:0:0:0:" + Integer.toHexString(host.last());
            default -> "2001:db8:0::0:" + String.format("%04x", host.last());
        };
    }

    private static String uriHost(Host host) {
        if (host.isName()) {
            return host.name();
        }
        return host.family() == 6 ? "[" + address(host, host.last() % 3) + "]" : address(host, 0);
    }

    // --- generators ---

    @Provide
    Arbitrary<Host> hosts() {
        Arbitrary<Host> names = Arbitraries.of(LABELS).list().ofMinSize(1).ofMaxSize(3).map(labels -> new Host(labels, 0, 0));
        Arbitrary<Host> addresses = Combinators.combine(Arbitraries.of(4, 6), Arbitraries.integers().between(0, 7))
                .as((family, last) -> new Host(List.of(), family, last));
        return Arbitraries.frequencyOf(Tuple.of(3, names), Tuple.of(2, addresses));
    }

    @Provide
    Arbitrary<Integer> ports() {
        return Arbitraries.of(PORTS);
    }

    @Provide
    Arbitrary<List<Entry>> entries() {
        Arbitrary<String> kinds = Arbitraries.frequency(Tuple.of(1, "star"), Tuple.of(6, "name"),
                Tuple.of(4, "dot"), Tuple.of(3, "stardot"), Tuple.of(5, "ip"),
                Tuple.of(5, "cidr"));
        Arbitrary<Entry> entry = Combinators.combine(kinds, hosts(), Arbitraries.integers().between(0, 3), ports(),
                        Arbitraries.of(true, false), Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2))
                .as((kind, host, bitsBack, port, upper, spaces, form) -> entryOf(kind, host, bitsBack, port, upper, spaces, form));
        return entry.list().ofMinSize(0).ofMaxSize(4);
    }

    /** Fits the host to the kind: names for name kinds, addresses for the others; ranges keep their variation in the last byte. */
    private static Entry entryOf(String kind, Host host, int bitsBack, int port, boolean upper, int spaces, int form) {
        boolean wantsName = kind.equals("name") || kind.equals("dot") || kind.equals("stardot");
        Host fitted = host;
        if (wantsName && !host.isName()) {
            fitted = new Host(List.of(LABELS.get(host.last() % LABELS.size())), 0, 0);
        } else if (!wantsName && !kind.equals("star") && host.isName()) {
            fitted = new Host(List.of(), host.labels().size() % 2 == 0 ? 6 : 4, host.labels().size() + 3);
        }
        int prefix = (fitted.family() == 6 ? 128 : 32) - bitsBack;
        return new Entry(kind, fitted, prefix, kind.equals("cidr") ? 0 : port, upper, spaces, form);
    }
}
