package io.keepwell.netty;

import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.RequestListener;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The client's request listeners heard as one, in the order they were added. One that throws is
 * logged and dropped: it hears nothing more, and the exchange goes on. Thread-safe: the list is
 * replaced, never changed, so an event in flight sees one version of it.
 */
final class ComposedRequestListener implements RequestListener {

    private static final System.Logger LOG = System.getLogger("io.keepwell.netty.RequestListener");

    private volatile RequestListener[] listeners = new RequestListener[0];

    synchronized void add(RequestListener listener) {
        RequestListener[] after = Arrays.copyOf(listeners, listeners.length + 1);
        after[listeners.length] = listener;
        listeners = after;
    }

    private synchronized void drop(RequestListener listener) {
        listeners = Arrays.stream(listeners).filter(l -> l != listener).toArray(RequestListener[]::new);
    }

    private void each(Consumer<RequestListener> event) {
        for (RequestListener l : listeners) {
            try {
                event.accept(l);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "request listener " + l + " threw; it is dropped", e);
                drop(l);
            }
        }
    }

    @Override
    public void callStart(HttpRequest request) {
        each(l -> l.callStart(request));
    }

    @Override
    public void acquireStart(HttpRequest request) {
        each(l -> l.acquireStart(request));
    }

    @Override
    public void dnsStart(HttpRequest request, String host) {
        each(l -> l.dnsStart(request, host));
    }

    @Override
    public void dnsEnd(HttpRequest request, String host, List<InetAddress> addresses, Duration elapsed) {
        each(l -> l.dnsEnd(request, host, addresses, elapsed));
    }

    @Override
    public void connectStart(HttpRequest request, InetSocketAddress address) {
        each(l -> l.connectStart(request, address));
    }

    @Override
    public void connectEnd(HttpRequest request, InetSocketAddress address, Duration elapsed) {
        each(l -> l.connectEnd(request, address, elapsed));
    }

    @Override
    public void connectFailed(HttpRequest request, InetSocketAddress address, Duration elapsed, Throwable cause) {
        each(l -> l.connectFailed(request, address, elapsed, cause));
    }

    @Override
    public void tlsStart(HttpRequest request) {
        each(l -> l.tlsStart(request));
    }

    @Override
    public void tlsEnd(HttpRequest request, String protocol, String cipherSuite, Duration elapsed) {
        each(l -> l.tlsEnd(request, protocol, cipherSuite, elapsed));
    }

    @Override
    public void acquired(HttpRequest request, boolean reused, boolean wasIdle, Duration idleTime, Duration elapsed) {
        each(l -> l.acquired(request, reused, wasIdle, idleTime, elapsed));
    }

    @Override
    public void requestHeadWritten(HttpRequest request) {
        each(l -> l.requestHeadWritten(request));
    }

    @Override
    public void requestBodyWritten(HttpRequest request, long bytes) {
        each(l -> l.requestBodyWritten(request, bytes));
    }

    @Override
    public void responseHeaders(HttpRequest request, int statusCode, Duration timeToFirstByte) {
        each(l -> l.responseHeaders(request, statusCode, timeToFirstByte));
    }

    @Override
    public void responseBodyEnd(HttpRequest request, long bytes) {
        each(l -> l.responseBodyEnd(request, bytes));
    }

    @Override
    public void retried(HttpRequest request, Throwable cause) {
        each(l -> l.retried(request, cause));
    }

    @Override
    public void callEnd(HttpRequest request, int statusCode, Duration elapsed) {
        each(l -> l.callEnd(request, statusCode, elapsed));
    }

    @Override
    public void callFailed(HttpRequest request, HttpTimeoutException.Phase phase, Throwable cause, Duration elapsed) {
        each(l -> l.callFailed(request, phase, cause, elapsed));
    }
}
