package io.keepwell.it.support;

import io.keepwell.http.RequestListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records the connect-phase events of a client's requests ({@code dnsStart}, {@code dnsEnd},
 * {@code connectStart}, {@code connectEnd}, {@code connectFailed}), in the order the client told
 * them, for the route tests.
 */
public final class ConnectEvents implements RequestListener {

    /** What happened. */
    public enum Kind { DNS_START, DNS_END, CONNECT_START, CONNECT_END, CONNECT_FAILED }

    /**
     * One event: {@code host} for DNS events, {@code address} for connect events, the addresses a
     * {@code dnsEnd} found, the cause of a {@code connectFailed}, and when it was heard.
     */
    public record Event(Kind kind, String host, InetSocketAddress address, List<InetAddress> addresses,
                        Throwable cause, long nanoTime) {
        @Override
        public String toString() {
            return kind + " " + (host != null ? host + (addresses == null ? "" : " " + addresses) : address)
                    + (cause == null ? "" : " (" + cause + ")");
        }
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();

    /** Every event so far, oldest first. */
    public List<Event> all() {
        return List.copyOf(events);
    }

    /** The events of {@code kinds}, oldest first. */
    public List<Event> of(Kind... kinds) {
        List<Kind> wanted = List.of(kinds);
        return events.stream().filter(e -> wanted.contains(e.kind())).toList();
    }

    /** The addresses of the connect events of {@code kind}, oldest first. */
    public List<InetSocketAddress> addresses(Kind kind) {
        return of(kind).stream().map(Event::address).toList();
    }

    /** Forgets everything recorded so far. */
    public void clear() {
        events.clear();
    }

    @Override
    public void dnsStart(HttpRequest request, String host) {
        events.add(new Event(Kind.DNS_START, host, null, null, null, System.nanoTime()));
    }

    @Override
    public void dnsEnd(HttpRequest request, String host, List<InetAddress> addresses, Duration elapsed) {
        events.add(new Event(Kind.DNS_END, host, null, List.copyOf(addresses), null, System.nanoTime()));
    }

    @Override
    public void connectStart(HttpRequest request, InetSocketAddress address) {
        events.add(new Event(Kind.CONNECT_START, null, address, null, null, System.nanoTime()));
    }

    @Override
    public void connectEnd(HttpRequest request, InetSocketAddress address, Duration elapsed) {
        events.add(new Event(Kind.CONNECT_END, null, address, null, null, System.nanoTime()));
    }

    @Override
    public void connectFailed(HttpRequest request, InetSocketAddress address, Duration elapsed, Throwable cause) {
        events.add(new Event(Kind.CONNECT_FAILED, null, address, null, cause, System.nanoTime()));
    }
}
