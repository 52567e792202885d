package io.keepwell.http;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A proxy named by an environment variable, read as Go's {@code httpproxy} reads one: a full URL,
 * or {@code host[:port]} taken as {@code http://host[:port]}. {@code http} is an HTTP proxy
 * (default port 80), {@code socks5} and {@code socks5h} a SOCKS5 proxy (default port 1080); the
 * URL's {@code user:password@} are its credentials, percent-decoded. The address is left
 * unresolved: the proxy's name is looked up when a connection is opened, never here.
 *
 * @param proxy       the proxy
 * @param credentials its credentials, or null when the URL has none
 */
record ProxyUrl(Proxy proxy, PasswordAuthentication credentials) {

    /**
     * The proxy {@code value} names.
     *
     * @param variable the variable's name, for messages
     * @param value    its value, not empty
     * @throws IllegalArgumentException if the value is not a proxy URL Keepwell can use (messages never show the password)
     */
    static ProxyUrl parse(String variable, String value) {
        URI uri = uri(value);
        // "proxy:3128" parses as scheme "proxy"; a value that names its scheme ("http://") is not given another
        if (!value.contains("://") && (uri == null || uri.getScheme() == null || uri.isOpaque())) {
            URI withHttp = uri("http://" + value);
            if (withHttp != null) {
                uri = withHttp;
            }
        }
        if (uri == null || uri.getHost() == null) {
            throw new IllegalArgumentException(variable + " is not a proxy URL with a host: " + redacted(value));
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        Proxy.Type type;
        int defaultPort;
        switch (scheme) {
            case "http" -> {
                type = Proxy.Type.HTTP;
                defaultPort = 80;
            }
            case "socks5", "socks5h" -> {
                type = Proxy.Type.SOCKS;
                defaultPort = 1080;
            }
            case "https" -> throw new IllegalArgumentException(variable + " names an https:// proxy (TLS to the proxy), which"
                    + " Keepwell does not support; use http:// (https requests still get a CONNECT tunnel): " + redacted(value));
            default -> throw new IllegalArgumentException(variable + " names a proxy scheme Keepwell does not support ('"
                    + scheme + "': http and socks5 only): " + redacted(value));
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
        if (port < 1 || port > 65535) { // URI takes any int; a proxy on port 0 or past 65535 cannot be reached
            throw new IllegalArgumentException(variable + " names port " + port + ", outside 1 to 65535: " + redacted(value));
        }
        Proxy proxy = new Proxy(type, InetSocketAddress.createUnresolved(host, port));
        return new ProxyUrl(proxy, credentials(uri.getRawUserInfo()));
    }

    private static URI uri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static PasswordAuthentication credentials(String rawUserInfo) {
        if (rawUserInfo == null) {
            return null;
        }
        int colon = rawUserInfo.indexOf(':');
        String user = colon < 0 ? rawUserInfo : rawUserInfo.substring(0, colon);
        String password = colon < 0 ? "" : rawUserInfo.substring(colon + 1);
        return new PasswordAuthentication(percentDecoded(user), percentDecoded(password).toCharArray());
    }

    /** {@code %XX} decoded as UTF-8; unlike {@code URLDecoder}, {@code +} stays {@code +}. */
    private static String percentDecoded(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int plain = 0; // start of the text not yet copied
        for (int i = 0; i + 2 < text.length(); i++) {
            if (text.charAt(i) == '%' && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                bytes.writeBytes(text.substring(plain, i).getBytes(StandardCharsets.UTF_8));
                bytes.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 2;
                plain = i + 1;
            }
        }
        bytes.writeBytes(text.substring(plain).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    /** {@code value} with whatever stands before an {@code @} replaced, so no password reaches a message. */
    static String redacted(String value) {
        int at = value.lastIndexOf('@');
        if (at < 0) {
            return value;
        }
        int start = value.indexOf("://");
        start = start < 0 || start > at ? 0 : start + 3;
        return value.substring(0, start) + "***" + value.substring(at);
    }
}
