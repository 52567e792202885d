package io.keepwell.http;

import java.net.ConnectException;
import java.net.Proxy;
import java.util.Objects;

/**
 * A proxy would not, or could not, carry a connection to the origin: it refused the
 * {@code CONNECT} tunnel with a status ({@code 403}, {@code 407} with no credentials left to try,
 * {@code 502}...), it asked for credentials on a forwarded request that none answered, its SOCKS
 * handshake failed, or it closed or went silent before the tunnel stood. A
 * {@link ConnectException}, as a connection that cannot be made is; nothing of the request was
 * sent to the origin, so it can be sent again elsewhere whatever its method.
 */
public class ProxyException extends ConnectException {
    private static final long serialVersionUID = 1L;

    /** The proxy that refused. */
    private final transient Proxy proxy;

    /** The proxy's HTTP status; 0 when it gave none (SOCKS, a close, a timeout). */
    private final int statusCode;

    /**
     * A refusal by {@code proxy}.
     *
     * @param proxy      the proxy, as the {@link java.net.ProxySelector} gave it; not {@code null}
     * @param statusCode the proxy's HTTP status, or 0 when it gave none
     * @param target     what the connection was for, such as {@code https://example.com:443}
     * @param detail     what happened, for the message (the status line, the SOCKS failure)
     */
    public ProxyException(Proxy proxy, int statusCode, String target, String detail) {
        super("proxy " + describe(proxy) + " did not connect to " + target + ": " + detail);
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.statusCode = statusCode;
    }

    private static String describe(Proxy proxy) {
        if (proxy.address() instanceof java.net.InetSocketAddress address) {
            String host = address.getHostString();
            return proxy.type() + " " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
        }
        return proxy.type() + " " + proxy.address();
    }

    /** @return the proxy that refused */
    public Proxy proxy() {
        return proxy;
    }

    /** @return the proxy's HTTP status, such as 407; 0 when it gave none */
    public int statusCode() {
        return statusCode;
    }
}
