package io.keepwell.netty.handler;

import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.KeepwellTimeout;
import io.keepwell.http.RequestListener;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import javax.net.ssl.SSLSession;

/**
 * One call's events for its {@link RequestListener}, with the start times their durations are
 * measured from. It exists only when a listener is set: without one an exchange has none, and
 * every event site is a null check. Steps follow one another (each starts from where the last
 * one ended, through a promise or a task), so plain fields suffice; the end of the call and the
 * step it is in can be seen from any thread.
 */
public final class RequestTrace {

    private static final AtomicIntegerFieldUpdater<RequestTrace> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(RequestTrace.class, "ended");
    private static final AtomicIntegerFieldUpdater<RequestTrace> END_STEPS =
            AtomicIntegerFieldUpdater.newUpdater(RequestTrace.class, "endSteps");

    private final RequestListener listener;
    private final HttpRequest request;
    private final long callStartNanos;
    private long acquireStartNanos;
    private long dnsStartNanos;
    private long tlsStartNanos;
    private long writeStartNanos;
    private volatile HttpTimeoutException.Phase step = HttpTimeoutException.Phase.ACQUIRE;
    private volatile int statusCode;
    private volatile int ended;    // 1 once callEnd or callFailed was told
    private volatile int endSteps; // callEnd waits for two: the future's response, and the response over on its channel

    private RequestTrace(RequestListener listener, HttpRequest request) {
        this.listener = listener;
        this.request = request;
        this.callStartNanos = System.nanoTime();
    }

    /** Tells {@code callStart}; {@code null} for {@link RequestListener#NONE}, which hears nothing. */
    static RequestTrace start(RequestListener listener, HttpRequest request) {
        if (listener == RequestListener.NONE) {
            return null;
        }
        RequestTrace trace = new RequestTrace(listener, request);
        listener.callStart(request);
        return trace;
    }

    public void acquireStart() {
        step = HttpTimeoutException.Phase.ACQUIRE;
        acquireStartNanos = System.nanoTime();
        listener.acquireStart(request);
    }

    public void dnsStart(String host) {
        step = HttpTimeoutException.Phase.DNS;
        dnsStartNanos = System.nanoTime();
        listener.dnsStart(request, host);
    }

    public void dnsEnd(String host, List<InetAddress> addresses) {
        listener.dnsEnd(request, host, addresses, since(dnsStartNanos));
    }

    /** One connect attempt began (several may run at once, Happy Eyeballs); returns its start, for its end. */
    public long connectStart(InetSocketAddress address) {
        step = HttpTimeoutException.Phase.CONNECT;
        long start = System.nanoTime();
        listener.connectStart(request, address);
        return start;
    }

    public void connectEnd(InetSocketAddress address, long startNanos) {
        listener.connectEnd(request, address, since(startNanos));
    }

    public void connectFailed(InetSocketAddress address, long startNanos, Throwable cause) {
        listener.connectFailed(request, address, since(startNanos), cause);
    }

    public void tlsStart() {
        step = HttpTimeoutException.Phase.HANDSHAKE;
        tlsStartNanos = System.nanoTime();
        listener.tlsStart(request);
    }

    public void tlsEnd(SSLSession session) {
        listener.tlsEnd(request, session.getProtocol(), session.getCipherSuite(), since(tlsStartNanos));
    }

    /** {@code idleNanos}: time in the idle list before this lease, or -1 if it did not come from there. */
    public void acquired(boolean reused, long idleNanos) {
        step = HttpTimeoutException.Phase.WRITE;
        listener.acquired(request, reused, idleNanos >= 0, Duration.ofNanos(Math.max(0, idleNanos)), since(acquireStartNanos));
    }

    void writeStarted() {
        step = HttpTimeoutException.Phase.WRITE;
        writeStartNanos = System.nanoTime();
    }

    void headWritten() {
        listener.requestHeadWritten(request);
    }

    void bodyWritten(long bytes) {
        step = HttpTimeoutException.Phase.RESPONSE_HEADERS;
        listener.requestBodyWritten(request, bytes);
    }

    void responseHeaders(int status) {
        step = HttpTimeoutException.Phase.READ;
        statusCode = status;
        listener.responseHeaders(request, status, since(writeStartNanos));
    }

    void responseBodyEnd(long bytes) {
        listener.responseBodyEnd(request, bytes);
    }

    public void retried(Throwable cause) {
        listener.retried(request, cause);
    }

    /** The call's future completed: a failure ends the call; a response ends it once the response is over too. */
    public void futureCompleted(HttpResponse<?> response, Throwable error) {
        if (error != null) {
            failed(error);
        } else {
            endStep();
        }
    }

    /** The response is over on its channel: read to its end ({@code failure} null) or failed. */
    void responseOver(Throwable failure) {
        if (failure != null) {
            failed(failure);
        } else {
            endStep();
        }
    }

    private void endStep() {
        if (END_STEPS.incrementAndGet(this) == 2 && ENDED.compareAndSet(this, 0, 1)) {
            listener.callEnd(request, statusCode, since(callStartNanos));
        }
    }

    private void failed(Throwable error) {
        if (ENDED.compareAndSet(this, 0, 1)) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            listener.callFailed(request, phaseOf(cause), cause, since(callStartNanos));
        }
    }

    /** A timeout's own phase; {@code REQUEST} for a cancel; else the step the call was in. */
    private HttpTimeoutException.Phase phaseOf(Throwable cause) {
        if (cause instanceof KeepwellTimeout timeout) {
            return timeout.phase();
        }
        if (cause instanceof CancellationException) {
            return HttpTimeoutException.Phase.REQUEST;
        }
        return step;
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
