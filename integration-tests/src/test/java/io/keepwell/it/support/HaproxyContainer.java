package io.keepwell.it.support;

import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.images.builder.Transferable;

/**
 * haproxy on {@code 127.0.0.1:port()} in HTTP mode, forwarding every request to a backend
 * {@link NginxContainer} (so all of nginx's endpoints work through it). The backend is started
 * first if it is not running.
 *
 * <p>Knobs, set before the start: {@link #withHttpKeepAliveTimeout} (haproxy closes a client
 * connection idle that long between requests), {@link #withClientTimeout}/{@link #withServerTimeout}
 * (inactivity limits while a request is in flight), {@link #withServerClose()} (a new backend
 * connection per request) and {@link #withHttpClose()} (haproxy closes the client connection after
 * each response). One log line per request is written to stdout; read them with {@link #requestLog()}.
 *
 * <p>HTTP/2: {@link #withTlsFront} terminates TLS on {@link #port()} with ALPN {@code h2, http/1.1};
 * {@link #withH2cFront()} speaks h2c (prior knowledge) there instead. The backend line follows the
 * backend: to an nginx on h2c haproxy speaks HTTP/2 ({@code proto h2}), to one on TLS it speaks TLS
 * (without verifying the certificate) and offers ALPN {@code h2, http/1.1}.
 */
public final class HaproxyContainer extends LoopbackServerContainer<HaproxyContainer> {

    /** Certificate and key in one file, as haproxy's {@code crt} takes them. */
    private static final String COMBINED_PEM = "/tmp/tls/combined.pem";

    private final NginxContainer backend;
    private Duration httpKeepAliveTimeout = Duration.ofSeconds(10);
    private Duration clientTimeout = Duration.ofSeconds(30);
    private Duration serverTimeout = Duration.ofSeconds(30);
    private boolean serverClose;
    private boolean httpClose;
    private boolean tlsFront;
    private boolean h2cFront;

    /** haproxy in front of {@code backend}; the backend must keep its port while haproxy runs. */
    public HaproxyContainer(NginxContainer backend) {
        this.backend = backend;
        dependsOn(backend);
    }

    /** {@code timeout http-keep-alive}: close a client connection idle this long after a response. */
    public HaproxyContainer withHttpKeepAliveTimeout(Duration timeout) {
        this.httpKeepAliveTimeout = requirePositive(timeout, "timeout http-keep-alive");
        return this;
    }

    /** {@code timeout client}: give up on a client inactive this long in the middle of a request. */
    public HaproxyContainer withClientTimeout(Duration timeout) {
        this.clientTimeout = requirePositive(timeout, "timeout client");
        return this;
    }

    /** {@code timeout server}: answer 504 when the backend is silent this long. */
    public HaproxyContainer withServerTimeout(Duration timeout) {
        this.serverTimeout = requirePositive(timeout, "timeout server");
        return this;
    }

    /** {@code option http-server-close}: keep client connections, but one backend connection per request. */
    public HaproxyContainer withServerClose() {
        this.serverClose = true;
        return this;
    }

    /** {@code option httpclose}: close the client connection after each response. */
    public HaproxyContainer withHttpClose() {
        this.httpClose = true;
        return this;
    }

    /** TLS on {@link #port()} with {@code certificates}, ALPN {@code h2, http/1.1}; {@link #uri} gives https. */
    public HaproxyContainer withTlsFront(TestCertificates certificates) {
        if (h2cFront) {
            throw new IllegalStateException("h2c and TLS on the same front");
        }
        this.tlsFront = true;
        try {
            withCopyToContainer(Transferable.of(certificates.certificatePem() + certificates.privateKeyPem(), 0600), COMBINED_PEM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot export the test certificate as PEM", e);
        }
        return this;
    }

    /** h2c with prior knowledge on {@link #port()} ({@code bind ... proto h2}); HTTP/1.1 is then refused there. */
    public HaproxyContainer withH2cFront() {
        if (tlsFront) {
            throw new IllegalStateException("h2c and TLS on the same front");
        }
        this.h2cFront = true;
        return this;
    }

    @Override
    protected String scheme() {
        return tlsFront ? "https" : "http";
    }

    /** The backend nginx. */
    public NginxContainer backend() {
        return backend;
    }

    /**
     * haproxy's log lines so far (one per finished request, in haproxy's {@code httplog} format).
     * Docker forwards the output asynchronously, so poll for a line that must appear.
     */
    public List<String> requestLog() {
        return getLogs(OutputType.STDOUT).lines().filter(l -> l.contains("\"")).toList();
    }

    @Override
    protected String serverCommand() {
        return "haproxy -db -f " + CONFIG_FILE;
    }

    @Override
    protected String renderConfig(int port) {
        return """
                global
                    log stdout format raw local0
                    nbthread 1
                defaults
                    mode http
                    log global
                    option httplog
                %s    timeout connect 2s
                    timeout client %dms
                    timeout server %dms
                    timeout http-keep-alive %dms
                frontend keepwell
                    bind 127.0.0.1:%d%s
                    default_backend nginx
                backend nginx
                    server nginx 127.0.0.1:%d%s
                """.formatted(options(), clientTimeout.toMillis(), serverTimeout.toMillis(),
                httpKeepAliveTimeout.toMillis(), port, bindOptions(), backend.port(), serverOptions());
    }

    private String bindOptions() {
        if (tlsFront) {
            return " ssl crt " + COMBINED_PEM + " alpn h2,http/1.1";
        }
        return h2cFront ? " proto h2" : "";
    }

    private String serverOptions() {
        if (backend.speaksTls()) {
            return " ssl verify none alpn h2,http/1.1";
        }
        return backend.speaksH2c() ? " proto h2" : "";
    }

    private String options() {
        return (serverClose ? "    option http-server-close\n" : "") + (httpClose ? "    option httpclose\n" : "");
    }

    private static Duration requirePositive(Duration d, String directive) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(directive + " must be positive: " + d);
        }
        return d;
    }
}
