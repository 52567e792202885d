package io.keepwell.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.images.builder.Transferable;

/**
 * nginx (with the echo module) on {@code 127.0.0.1:port()}, one worker process, serving fixed test
 * endpoints. Configure the keep-alive knobs with the {@code with...} methods before the start; the
 * endpoints are always there:
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><td>{@link #HELLO}</td><td>200, {@code Content-Length}, body {@link #HELLO_BODY}</td></tr>
 * <tr><td>{@link #delay(Duration)}</td><td>waits, then 200 with a chunked body {@code "delayed\n"}</td></tr>
 * <tr><td>{@link #stall(Duration)}</td><td>sends the headers and {@code "before stall\n"} at once, waits, then
 *     {@code "after stall\n"} (chunked)</td></tr>
 * <tr><td>{@link #CLOSE}</td><td>{@code return 444}: closes the connection without any reply</td></tr>
 * <tr><td>{@link #ECHO}</td><td>200 with the request body as the (chunked) response body; any method;
 *     count the requests with {@link #awaitAccessLog}</td></tr>
 * <tr><td>{@link #LARGE}</td><td>a static file of {@link #withLargeBodySize(int)} bytes (1 MiB by default)
 *     with {@code Content-Length}; the content is {@link #expectedLargeBody()}</td></tr>
 * <tr><td>{@link #CHUNKED}</td><td>{@link #CHUNKED_BODY} in {@value #CHUNKED_CHUNK_COUNT} chunks of
 *     {@value #CHUNKED_CHUNK_SIZE} bytes</td></tr>
 * <tr><td>{@link #UNTIL_CLOSE}</td><td>{@link #UNTIL_CLOSE_BODY} with neither length nor chunking, then
 *     {@code Connection: close}: the body ends when nginx closes</td></tr>
 * <tr><td>{@link #HTTP10_PREFIX}{@code /x}</td><td>proxied by nginx to its own {@code /x} with
 *     {@code proxy_http_version 1.0} (a fresh upstream connection per request; the reply to the client
 *     is still HTTP/1.1)</td></tr>
 * <tr><td>{@link #STATUS}</td><td>{@code stub_status}; read it with {@link #activeConnections()}</td></tr>
 * </table>
 *
 * <p>Every request except those to {@link #STATUS} is written to an access log, read back with
 * {@link #accessLog()}; its entries carry nginx's connection serial number and the request's
 * position on the connection, so tests can see which requests shared a connection.
 *
 * <p>By default {@link #port()} speaks plain HTTP/1.1. {@link #withTls} puts TLS on it (ALPN offers
 * only {@code http/1.1}), {@link #withHttp2()} HTTP/2: over TLS it is {@code listen ... ssl http2}
 * (ALPN {@code h2, http/1.1}), without TLS it is h2c with prior knowledge only (nginx 1.22 then
 * answers no HTTP/1.1 on that port). Whenever {@link #port()} is not plain HTTP/1.1, the same
 * endpoints are also served over plain HTTP/1.1 on {@link #plainPort()}, which
 * {@link #activeConnections()} and {@link #HTTP10_PREFIX} use. On HTTP/2, nginx 1.22 applies
 * {@code keepalive_requests} per connection (it sends GOAWAY once that many streams have been
 * opened) and {@code keepalive_timeout} to a connection without streams.
 */
public final class NginxContainer extends LoopbackServerContainer<NginxContainer> {

    /** 200 with {@link #HELLO_BODY} and a {@code Content-Length}. */
    public static final String HELLO = "/hello";
    /** The body of {@link #HELLO}. */
    public static final String HELLO_BODY = "hello\n";
    /** Closes the connection without a reply ({@code return 444}). */
    public static final String CLOSE = "/close";
    /** Echoes the request body. */
    public static final String ECHO = "/echo";
    /** The static file of {@link #withLargeBodySize(int)} bytes. */
    public static final String LARGE = "/large";
    /** A chunked body of {@link #CHUNKED_BODY}. */
    public static final String CHUNKED = "/chunked";
    /** Number of chunks {@link #CHUNKED} sends. */
    public static final int CHUNKED_CHUNK_COUNT = 4;
    /** Size of each chunk {@link #CHUNKED} sends. */
    public static final int CHUNKED_CHUNK_SIZE = 4096;
    /** The body of {@link #CHUNKED}. */
    public static final String CHUNKED_BODY = "0123456789abcdef".repeat(CHUNKED_CHUNK_COUNT * CHUNKED_CHUNK_SIZE / 16);
    /** A close-delimited body of {@link #UNTIL_CLOSE_BODY}. */
    public static final String UNTIL_CLOSE = "/until-close";
    /** The body of {@link #UNTIL_CLOSE}. */
    public static final String UNTIL_CLOSE_BODY = "0123456789abcdef".repeat(256);
    /** {@code /http10/x} is proxied to {@code /x} over an HTTP/1.0 upstream connection. */
    public static final String HTTP10_PREFIX = "/http10";
    /** nginx's {@code stub_status} page. */
    public static final String STATUS = "/status";
    /**
     * 200 with {@link #CONNECTION_HEADER} (nginx's serial number of the connection) and
     * {@link #CONNECTION_REQUESTS_HEADER} (the request's position on it, from 1).
     */
    public static final String CONNECTION = "/connection";
    /** The header of {@link #CONNECTION} naming the connection ({@code $connection}). */
    public static final String CONNECTION_HEADER = "X-Connection";
    /** The header of {@link #CONNECTION} counting requests on the connection ({@code $connection_requests}). */
    public static final String CONNECTION_REQUESTS_HEADER = "X-Connection-Requests";
    /** The socket file's name in the directory given to {@link #withUnixSocket}. */
    public static final String UNIX_SOCKET_NAME = "nginx.sock";

    private static final String ACCESS_LOG = "/tmp/access.log";
    private static final String UNIX_SOCKET_DIRECTORY = "/sock";
    private static final String CERTIFICATE_FILE = "/tmp/tls/cert.pem";
    private static final String KEY_FILE = "/tmp/tls/key.pem";
    private static final Pattern ACTIVE_CONNECTIONS = Pattern.compile("Active connections: (\\d+)");

    private Integer keepaliveRequests; // null: nginx's default, 1000
    private Duration keepaliveTimeout; // null: nginx's default, 75 s
    private Duration keepaliveTime;    // null: nginx's default, 1 h
    private int largeBodySize = 1 << 20;
    private TestCertificates tls;              // null: no TLS on port()
    private boolean http2;
    private Integer http2MaxConcurrentStreams; // null: nginx's default, 128
    private volatile int plainPort;            // 0 while port() itself is the plain HTTP/1.1 listener
    private java.nio.file.Path unixSocketDirectory; // null: no Unix socket

    /** Path of an endpoint that waits {@code delay} before it replies. */
    public static String delay(Duration delay) {
        return "/delay?s=" + seconds(delay);
    }

    /** Path of an endpoint that sends the headers and part of the body, then waits {@code stall}. */
    public static String stall(Duration stall) {
        return "/stall?s=" + seconds(stall);
    }

    /** nginx closes a connection after it has served {@code requests} requests on it. */
    public NginxContainer withKeepaliveRequests(int requests) {
        if (requests < 1) {
            throw new IllegalArgumentException("keepalive_requests must be at least 1: " + requests);
        }
        this.keepaliveRequests = requests;
        return this;
    }

    /** nginx closes a connection idle for {@code timeout}; zero disables keep-alive. */
    public NginxContainer withKeepaliveTimeout(Duration timeout) {
        this.keepaliveTimeout = requireNotNegative(timeout, "keepalive_timeout");
        return this;
    }

    /** nginx closes a connection, after its current request, once it has been open for {@code time}. */
    public NginxContainer withKeepaliveTime(Duration time) {
        this.keepaliveTime = requireNotNegative(time, "keepalive_time");
        return this;
    }

    /**
     * TLS on {@link #port()} with {@code certificates} (written into the container as PEM files);
     * {@link #uri} then gives {@code https://127.0.0.1:port}, so the certificate must name
     * {@code ip:127.0.0.1}.
     */
    public NginxContainer withTls(TestCertificates certificates) {
        this.tls = certificates;
        try {
            withCopyToContainer(Transferable.of(certificates.certificatePem()), CERTIFICATE_FILE);
            withCopyToContainer(Transferable.of(certificates.privateKeyPem(), 0600), KEY_FILE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot export the test certificate as PEM", e);
        }
        return this;
    }

    /**
     * Also serves every endpoint (plain HTTP/1.1) on the Unix socket {@link #UNIX_SOCKET_NAME} in
     * {@code hostDirectory}, which is bind-mounted into the container; the socket is
     * {@code srw-rw-rw-}, so the test JVM can connect. {@link #port()} stays, for the readiness
     * check and {@link #activeConnections()}.
     */
    public NginxContainer withUnixSocket(java.nio.file.Path hostDirectory) {
        this.unixSocketDirectory = hostDirectory.toAbsolutePath();
        // Not withFileSystemBind: its check for file mounting support runs a helper image, which
        // would be pulled (and fail after minutes of retries) on a daemon that pulls nothing.
        com.github.dockerjava.api.model.Bind bind = new com.github.dockerjava.api.model.Bind(unixSocketDirectory.toString(),
                new com.github.dockerjava.api.model.Volume(UNIX_SOCKET_DIRECTORY));
        withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(bind));
        return this;
    }

    /** The host path of the Unix socket of {@link #withUnixSocket}. */
    public java.nio.file.Path unixSocket() {
        if (unixSocketDirectory == null) {
            throw new IllegalStateException("started without withUnixSocket(..)");
        }
        return unixSocketDirectory.resolve(UNIX_SOCKET_NAME);
    }

    /** HTTP/2 on {@link #port()}: negotiated by ALPN with {@link #withTls}, else h2c with prior knowledge. */
    public NginxContainer withHttp2() {
        this.http2 = true;
        return this;
    }

    /** {@code http2_max_concurrent_streams}: the SETTINGS_MAX_CONCURRENT_STREAMS nginx announces. */
    public NginxContainer withHttp2MaxConcurrentStreams(int streams) {
        if (streams < 1) {
            throw new IllegalArgumentException("http2_max_concurrent_streams must be at least 1: " + streams);
        }
        this.http2MaxConcurrentStreams = streams;
        return this;
    }

    /** True if {@link #port()} speaks h2c (HTTP/2 without TLS, prior knowledge). */
    boolean speaksH2c() {
        return http2 && tls == null;
    }

    /** True if {@link #port()} speaks TLS. */
    boolean speaksTls() {
        return tls != null;
    }

    /** The port of the plain HTTP/1.1 listener: {@link #port()} itself unless TLS or HTTP/2 is on it. */
    public int plainPort() {
        int main = port();
        return plainPort == 0 ? main : plainPort;
    }

    /** {@code http://127.0.0.1:plainPort} followed by {@code pathAndQuery}. */
    public URI plainUri(String pathAndQuery) {
        return uri("http", plainPort(), pathAndQuery);
    }

    @Override
    protected String scheme() {
        return tls == null ? "http" : "https";
    }

    /** Size in bytes of the body at {@link #LARGE}. */
    public NginxContainer withLargeBodySize(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size: " + bytes);
        }
        this.largeBodySize = bytes;
        return this;
    }

    /** The exact body {@link #LARGE} serves. */
    public byte[] expectedLargeBody() {
        return LargeBody.of(largeBodySize);
    }

    /** Every access log entry so far, oldest first. nginx writes an entry after the response. */
    public List<AccessLogEntry> accessLog() throws IOException, InterruptedException {
        ExecResult cat = execInContainer("cat", ACCESS_LOG);
        if (cat.getExitCode() != 0) {
            throw new IOException("cannot read " + ACCESS_LOG + ": " + cat.getStderr());
        }
        return AccessLogEntry.parseAll(cat.getStdout());
    }

    /**
     * Waits until at least {@code count} access log entries match and returns the matching ones.
     * Waiting is needed because nginx logs a request after sending its response.
     */
    public List<AccessLogEntry> awaitAccessLog(Predicate<AccessLogEntry> matching, int count, Duration timeout)
            throws Exception {
        return Poll.until(() -> accessLog().stream().filter(matching).toList(),
                entries -> entries.size() >= count, timeout, count + " matching access log entries");
    }

    /**
     * Client connections nginx has open now (reading, writing or idle in keep-alive), not counting
     * the one this method opens to ask. Includes nginx's own upstream connections for
     * {@link #HTTP10_PREFIX} and connections from a proxy in front.
     */
    public int activeConnections() throws IOException {
        try (RawHttpConnection probe = RawHttpConnection.open(new InetSocketAddress(FreePorts.LOOPBACK, plainPort()))) {
            RawResponse status = probe.get(STATUS, "Connection: close");
            Matcher m = ACTIVE_CONNECTIONS.matcher(status.bodyText());
            if (status.status() != 200 || !m.find()) {
                throw new IOException("unexpected stub_status reply: " + status + " " + status.bodyText());
            }
            return Integer.parseInt(m.group(1)) - 1;
        }
    }

    /**
     * {@code nginx -s reload}: the master starts new workers and shuts the old ones down gracefully;
     * an old worker ends its HTTP/2 connections with GOAWAY, letting their open streams finish.
     */
    public void reload() throws IOException, InterruptedException {
        ExecResult reload = execInContainer("nginx", "-e", "stderr", "-c", CONFIG_FILE, "-s", "reload");
        if (reload.getExitCode() != 0) {
            throw new IOException("nginx -s reload failed: " + reload.getStderr());
        }
    }

    /** Waits until {@link #activeConnections()} equals {@code expected}; nginx notices closes asynchronously. */
    public void awaitActiveConnections(int expected, Duration timeout) throws Exception {
        Poll.until(this::activeConnections, n -> n == expected, timeout, expected + " active connections");
    }

    @Override
    protected String prepareCommand() {
        // A socket file left by an earlier start would make nginx's bind fail.
        String unixSocket = unixSocketDirectory == null ? "" : "rm -f " + UNIX_SOCKET_DIRECTORY + "/" + UNIX_SOCKET_NAME + " && ";
        return unixSocket + "mkdir -p /tmp/www /tmp/nginx && " + LargeBody.writeCommand("/tmp/www" + LARGE, largeBodySize);
    }

    @Override
    protected String serverCommand() {
        return "nginx -e stderr -c " + CONFIG_FILE;
    }

    @Override
    protected String renderConfig(int port) {
        StringBuilder chunked = new StringBuilder();
        for (int i = 0; i < CHUNKED_CHUNK_COUNT; i++) {
            chunked.append(" echo_duplicate ").append(CHUNKED_CHUNK_SIZE / 16).append(" \"0123456789abcdef\";")
                    .append(" echo_flush;");
        }
        String listen = listenDirectives(port);
        return """
                load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
                daemon off;
                worker_processes 1;
                error_log stderr;
                pid /tmp/nginx.pid;
                events { worker_connections 1024; }
                http {
                    default_type application/octet-stream;
                    log_format keepwell %s;
                    access_log %s keepwell;
                    client_body_temp_path /tmp/nginx/body;
                    proxy_temp_path /tmp/nginx/proxy;
                    fastcgi_temp_path /tmp/nginx/fastcgi;
                    uwsgi_temp_path /tmp/nginx/uwsgi;
                    scgi_temp_path /tmp/nginx/scgi;
                    client_body_buffer_size 16m;
                    client_max_body_size 64m;
                %s
                    server {
                %s
                        location = %s { return 200 "%s"; }
                        location = /delay { echo_sleep $arg_s; echo "delayed"; }
                        location = /stall { echo "before stall"; echo_flush; echo_sleep $arg_s; echo "after stall"; }
                        location = %s { return 444; }
                        location = %s { echo_read_request_body; echo_request_body; }
                        location = %s { root /tmp/www; }
                        location = %s {%s }
                        location = %s { chunked_transfer_encoding off; echo_duplicate 256 "0123456789abcdef"; }
                        location %s/ { proxy_http_version 1.0; proxy_pass http://127.0.0.1:%d/; }
                        location = %s { access_log off; stub_status; }
                        location = %s { add_header %s $connection; add_header %s $connection_requests; return 200 "connection\\n"; }
                    }
                }
                """.formatted(AccessLogEntry.LOG_FORMAT, ACCESS_LOG, keepaliveDirectives(), listen,
                HELLO, HELLO_BODY.replace("\n", "\\n"), CLOSE, ECHO, LARGE, CHUNKED, chunked, UNTIL_CLOSE,
                HTTP10_PREFIX, plainPort == 0 ? port : plainPort, STATUS,
                CONNECTION, CONNECTION_HEADER, CONNECTION_REQUESTS_HEADER);
    }

    /** Picks {@link #plainPort} for this start when {@code port} is not plain HTTP/1.1. */
    private String listenDirectives(int port) {
        boolean plainMain = tls == null && !http2;
        plainPort = plainMain ? 0 : FreePorts.pick();
        StringBuilder s = new StringBuilder("        listen 127.0.0.1:").append(port)
                .append(tls == null ? "" : " ssl").append(http2 ? " http2" : "").append(";\n");
        if (!plainMain) {
            s.append("        listen 127.0.0.1:").append(plainPort).append(";\n");
        }
        if (unixSocketDirectory != null) {
            s.append("        listen unix:").append(UNIX_SOCKET_DIRECTORY).append('/').append(UNIX_SOCKET_NAME).append(";\n");
        }
        if (tls != null) {
            s.append("        ssl_certificate ").append(CERTIFICATE_FILE).append(";\n")
                    .append("        ssl_certificate_key ").append(KEY_FILE).append(";\n");
        }
        return s.toString();
    }

    private String keepaliveDirectives() {
        StringBuilder s = new StringBuilder();
        if (keepaliveRequests != null) {
            s.append("    keepalive_requests ").append(keepaliveRequests).append(";\n");
        }
        if (keepaliveTimeout != null) {
            s.append("    keepalive_timeout ").append(keepaliveTimeout.toMillis()).append("ms;\n");
        }
        if (keepaliveTime != null) {
            s.append("    keepalive_time ").append(keepaliveTime.toMillis()).append("ms;\n");
        }
        if (http2MaxConcurrentStreams != null) {
            s.append("    http2_max_concurrent_streams ").append(http2MaxConcurrentStreams).append(";\n");
        }
        return s.toString();
    }

    private static Duration requireNotNegative(Duration d, String directive) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(directive + " must not be negative: " + d);
        }
        return d;
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }
}
