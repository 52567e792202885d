package io.keepwell.netty.connect;

import io.keepwell.http.HttpConnectTimeoutException;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.ProxyException;
import io.keepwell.netty.handler.RequestTrace;
import io.keepwell.netty.pool.ConnectFailure;
import io.keepwell.netty.proxy.ProxyCredentials;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens one connection for a pool key, within {@code connectTimeout} in all: resolves the first
 * hop's name (the origin's, or the proxy's), races its addresses ({@link AddressRace}), and through
 * a {@code CONNECT} or SOCKS5 proxy waits for the tunnel (answering one {@code 407} with the
 * proxy's credentials on a new connection). Its future completes with a channel connected to the
 * origin (or to the forwarding proxy) whose protocol handlers are not installed yet, or fails with
 * an {@link IOException}: {@link HttpConnectTimeoutException} (phase {@code DNS} or
 * {@code CONNECT}), {@link ProxyException}, or a {@link ConnectException}. Until it completes it
 * owns every channel it opened, and closes all but the one it hands over.
 *
 * <p>States: {@code RESOLVING → CONNECTING → (TUNNELLING →) DONE}, or {@code DONE} from any of
 * them on failure, timeout or abort; a second {@code CONNECTING} follows a {@code 407}. All of it
 * runs on one event loop.
 */
final class ConnectAttempt implements AddressRace.Outcome {

    private enum State { RESOLVING, CONNECTING, TUNNELLING, DONE }

    private static final Pattern STATUS = Pattern.compile("status: (\\d{3})");

    private final Dialer dialer;
    private final PoolKey key;
    private final Route route;
    private final RequestTrace trace; // null without a listener
    private final EventLoop loop;
    private final Promise<Channel> result;
    private State state = State.RESOLVING;
    private ScheduledFuture<?> deadline;
    private Future<List<InetAddress>> lookup;
    private AddressRace race;
    private Channel tunnelling;
    private long tunnelStartNanos;
    private SocketAddress tunnelAddress;
    private PasswordAuthentication credentials; // the proxy credentials this attempt sends; null for none
    private boolean askedForCredentials;

    ConnectAttempt(Dialer dialer, PoolKey key, RequestTrace trace, EventLoop loop) {
        this.dialer = dialer;
        this.key = key;
        this.route = key.route();
        this.trace = trace;
        this.loop = loop;
        this.result = loop.newPromise();
    }

    Future<Channel> future() {
        return result;
    }

    void start() {
        loop.execute(this::begin);
    }

    /** Ends the attempt with {@code cause} (the client is closing); a done attempt stays as it is. */
    void abort(IOException cause) {
        try {
            loop.execute(() -> fail(cause));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            result.tryFailure(cause); // the loop is gone, and its channels with it
        }
    }

    private void begin() {
        if (state != State.RESOLVING) {
            return;
        }
        deadline = loop.schedule(this::timedOut, dialer.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (route.kind() == Route.Kind.UNIX_SOCKET) {
            connectTo(List.of(dialer.unixSocketAddress(route.path())));
            return;
        }
        if (route.isProxy()) {
            credentials = dialer.credentials().preemptive(route); // what worked before, or the proxy URL's
            if (credentials == null && route.kind() == Route.Kind.SOCKS_PROXY) {
                credentials = dialer.credentials().find(route, uri(), "SOCKS5", null); // SOCKS asks for them in its handshake, no challenge first
            }
        }
        String host = route.isProxy() ? route.host() : key.host();
        int port = route.isProxy() ? route.port() : key.port();
        InetAddress literal = Dialer.literal(host);
        if (literal != null) {
            connectTo(List.of(new InetSocketAddress(literal, port)));
            return;
        }
        if (trace != null) {
            trace.dnsStart(host);
        }
        lookup = dialer.resolver().resolveAll(host, loop);
        lookup.addListener(f -> {
            if (loop.inEventLoop()) {
                resolved(host, port, f);
            } else {
                loop.execute(() -> resolved(host, port, f));
            }
        });
    }

    private void resolved(String host, int port, Future<?> f) {
        if (state != State.RESOLVING) {
            return;
        }
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            UnknownHostException unknown = cause instanceof UnknownHostException u ? u : (UnknownHostException)
                    new UnknownHostException(host + ": " + cause.getMessage()).initCause(cause);
            fail(new ConnectFailure(key, unknown));
            return;
        }
        @SuppressWarnings("unchecked")
        List<InetAddress> addresses = (List<InetAddress>) f.getNow();
        if (trace != null) {
            trace.dnsEnd(host, addresses);
        }
        connectTo(AddressRace.interleave(addresses).stream().map(a -> (SocketAddress) new InetSocketAddress(a, port)).toList());
    }

    private void connectTo(List<SocketAddress> addresses) {
        state = State.CONNECTING;
        race = new AddressRace(loop, addresses, this);
        race.start();
    }

    @Override
    public ChannelFuture dial(SocketAddress address) {
        return dialer.dial(key, address, loop, credentials);
    }

    @Override
    public long attemptStarted(SocketAddress address) {
        return trace != null && address instanceof InetSocketAddress inet ? trace.connectStart(inet) : System.nanoTime();
    }

    @Override
    public void attemptFailed(SocketAddress address, long startNanos, Throwable cause, boolean abandoned) {
        if (abandoned) {
            dialer.countAbandoned();
        }
        if (trace != null && address instanceof InetSocketAddress inet) {
            trace.connectFailed(inet, startNanos, cause);
        }
    }

    @Override
    public void won(Channel channel, SocketAddress address, long startNanos) {
        race = null;
        ProxyHandler proxy = channel.pipeline().get(ProxyHandler.class);
        if (proxy == null) {
            succeed(channel, address, startNanos);
            return;
        }
        state = State.TUNNELLING;
        tunnelling = channel;
        tunnelAddress = address;
        tunnelStartNanos = startNanos;
        proxy.connectFuture().addListener(f -> tunnelled(channel, address, startNanos, f));
    }

    @Override
    public void allFailed(List<Throwable> failures) {
        race = null;
        Throwable first = failures.get(0);
        if (failures.stream().allMatch(ConnectTimeoutException.class::isInstance)) {
            fail(new HttpConnectTimeoutException(HttpTimeoutException.Phase.CONNECT, dialer.connectTimeout(), key.toString()));
            return;
        }
        Throwable cause = first;
        if (failures.size() > 1) {
            StringBuilder each = new StringBuilder();
            for (Throwable t : failures) {
                each.append(each.length() == 0 ? "" : "; ").append(t.getMessage());
            }
            cause = new ConnectException(failures.size() + " addresses failed: " + each);
            failures.forEach(cause::addSuppressed);
        }
        ConnectFailure failure = new ConnectFailure(key, cause);
        if (route.isProxy()) {
            ProxyException unreachable = new ProxyException(RouteSelector.proxyOf(route), 0, key.origin(),
                    "cannot reach the proxy: " + cause.getMessage());
            unreachable.initCause(cause);
            fail(unreachable);
            return;
        }
        fail(failure);
    }

    private void tunnelled(Channel channel, SocketAddress address, long startNanos, Future<?> f) {
        if (state != State.TUNNELLING || tunnelling != channel) {
            return;
        }
        tunnelling = null;
        if (f.isSuccess()) {
            if (credentials != null) {
                dialer.credentials().remember(route, credentials);
            }
            succeed(channel, address, startNanos);
            return;
        }
        channel.close();
        Throwable cause = f.cause();
        int status = statusOf(cause);
        if (status == 407 && credentials != null) {
            dialer.credentials().forget(route);
        }
        String realm = status == 407 ? basicRealmOf(cause) : null;
        if (realm != null && !askedForCredentials) { // only a Basic challenge can be answered
            askedForCredentials = true;
            PasswordAuthentication found = dialer.credentials().find(route, uri(), "Basic", realm);
            if (found != null) {
                credentials = found;
                if (trace != null && address instanceof InetSocketAddress inet) {
                    trace.connectFailed(inet, startNanos, proxyFailure(status, cause));
                }
                connectTo(List.of(address)); // the proxy answered: its address is good; a new connection carries the credentials
                return;
            }
        }
        ProxyException failure = proxyFailure(status, cause);
        if (trace != null && address instanceof InetSocketAddress inet) {
            trace.connectFailed(inet, startNanos, failure);
        }
        fail(failure);
    }

    private ProxyException proxyFailure(int status, Throwable cause) {
        String detail = status == 407 && credentials == null ? "407 Proxy Authentication Required, and no credentials to answer it"
                : status == 407 ? "407 Proxy Authentication Required: the credentials were refused"
                : route.kind() == Route.Kind.SOCKS_PROXY ? "SOCKS5 handshake failed: " + cause.getMessage()
                : status > 0 ? "CONNECT refused with " + statusLine(cause) : "CONNECT failed: " + cause.getMessage();
        ProxyException failure = new ProxyException(RouteSelector.proxyOf(route), status, key.origin(), detail);
        failure.initCause(cause);
        return failure;
    }

    private void succeed(Channel channel, SocketAddress address, long startNanos) {
        state = State.DONE;
        cancelDeadline();
        if (trace != null && address instanceof InetSocketAddress inet) {
            trace.connectEnd(inet, startNanos);
        }
        if (!result.trySuccess(channel)) {
            channel.close();
        }
    }

    private void fail(IOException cause) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        cancelDeadline();
        if (lookup != null) {
            lookup.cancel(false);
        }
        if (race != null) {
            race.abort();
            race = null;
        }
        if (tunnelling != null) {
            tunnelling.close();
            if (trace != null && tunnelAddress instanceof InetSocketAddress inet) {
                trace.connectFailed(inet, tunnelStartNanos, cause);
            }
            tunnelling = null;
        }
        result.tryFailure(cause);
    }

    private void timedOut() {
        deadline = null;
        HttpTimeoutException.Phase phase = state == State.RESOLVING ? HttpTimeoutException.Phase.DNS : HttpTimeoutException.Phase.CONNECT;
        fail(new HttpConnectTimeoutException(phase, dialer.connectTimeout(), key.toString()));
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private URI uri() {
        return URI.create(key.origin());
    }

    /** The status of a refused {@code CONNECT}; 0 for anything else (SOCKS, a close, a timeout). */
    static int statusOf(Throwable cause) {
        if (!(cause instanceof HttpProxyHandler.HttpProxyConnectException)) {
            return 0;
        }
        Matcher m = STATUS.matcher(String.valueOf(cause.getMessage()));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static String statusLine(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        int at = message.indexOf("status: ");
        return at < 0 ? message : message.substring(at + "status: ".length());
    }

    /** The realm of the proxy's Basic challenge to a refused {@code CONNECT}; null when it made none. */
    private static String basicRealmOf(Throwable cause) {
        if (cause instanceof HttpProxyHandler.HttpProxyConnectException refused && refused.headers() != null) {
            return io.keepwell.netty.proxy.BasicChallenges.realm(refused.headers().getAll("Proxy-Authenticate"));
        }
        return null;
    }
}
