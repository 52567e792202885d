package io.keepwell.bench.load;

import io.keepwell.bench.server.BenchCertificate;
import io.keepwell.bench.server.EmbeddedServer;
import io.keepwell.bench.util.DurationConverter;
import io.keepwell.bench.util.Loopback;
import io.keepwell.netty.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code load}: a closed-loop load run against a loopback URL or the embedded server. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {
                "Closed-loop load: exactly C requests in flight, each completion sends the next.",
                "Without URL the embedded server (127.0.0.1, free port) answers. Only loopback targets are accepted.",
                "--http2 (TLS, ALPN) or --h2c (prior knowledge): HTTP/2 with --connections x --streams in flight.",
                "Exit code 1 when any request failed or nothing was measured."})
public final class LoadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "URL", description = "Target, e.g. http://127.0.0.1:8080/ (default: the embedded server).")
    URI url;

    @Option(names = {"-c", "--concurrency"}, description = "Requests in flight (default: 64; with --http2/--h2c, connections x streams).")
    Integer concurrency;

    @Option(names = "--http2", description = "HTTP/2 over TLS with ALPN h2 (the embedded server presents a self-signed certificate the clients trust).")
    boolean http2;

    @Option(names = "--h2c", description = "HTTP/2 over cleartext with prior knowledge.")
    boolean h2c;

    @Option(names = "--connections", description = "HTTP/2: connections each client may open to the origin (default: 1).")
    Integer connections;

    @Option(names = "--streams", description = "HTTP/2: streams per connection, the embedded server's SETTINGS_MAX_CONCURRENT_STREAMS "
            + "(default: C / connections, or 100 without -c). C = connections x streams.")
    Integer streams;

    @Option(names = "--stream-window", defaultValue = "" + EmbeddedServer.DEFAULT_STREAM_WINDOW,
            description = "HTTP/2: every client's (and the embedded server's) stream receive window, bytes (default: ${DEFAULT-VALUE}).")
    int streamWindow;

    @Option(names = "--connection-window", defaultValue = "" + EmbeddedServer.DEFAULT_CONNECTION_WINDOW,
            description = "HTTP/2: every client's (and the embedded server's) connection receive window, bytes (default: ${DEFAULT-VALUE}).")
    int connectionWindow;

    @Option(names = "--trust", paramLabel = "FILE",
            description = "HTTP/2 over TLS to a URL: the server's certificate (PEM) to trust, e.g. from serve --http2 --cert-out FILE.")
    Path trust;

    @Option(names = {"-d", "--duration"}, defaultValue = "10s", converter = DurationConverter.class,
            description = "Measured window (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
            description = "Unmeasured time before the window (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--method", defaultValue = "GET", description = "Request method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--body-size", defaultValue = "0", description = "Request body bytes (default: ${DEFAULT-VALUE}).")
    int bodySize;

    @Option(names = "--response-size", defaultValue = "13", description = "Embedded server's response body bytes (default: ${DEFAULT-VALUE}).")
    int responseSize;

    @Option(names = "--max-idle", description = "Pool maxIdlePerHost (default: max(C, 32), so the run measures reuse).")
    Integer maxIdle;

    @Option(names = "--max-conns", defaultValue = "0", description = "Pool maxConnectionsPerHost, 0 = unlimited (default: ${DEFAULT-VALUE}).")
    int maxConns;

    @Option(names = "--io-threads", description = "Client event-loop threads (default: the number of cores).")
    Integer ioThreads;

    @Option(names = "--server-threads", defaultValue = "1", description = "Embedded server threads (default: ${DEFAULT-VALUE}).")
    int serverThreads;

    @Option(names = "--transport", defaultValue = "AUTO", description = "AUTO, EPOLL or NIO (default: ${DEFAULT-VALUE}).")
    Transport transport;

    @Option(names = "--client", defaultValue = "keepwell", converter = ClientKindConverter.class,
            description = "keepwell, keepwell_executor, netty (bare Netty: the ceiling; over HTTP/2 Http2FrameCodec + Http2MultiplexHandler), jdk, jetty, apache, ahc, reactor, "
                    + "spring_jdk or spring_keepwell (WebClient over Keepwell via Spring's JdkClientHttpConnector or Keepwell's connector) "
                    + "(default: ${DEFAULT-VALUE}). "
                    + "--max-idle/--max-conns apply to the Keepwell-based clients; every other peer's pool is sized to C.")
    ClientKind client;

    @Option(names = "--json", description = "Print the result as one JSON line instead of the table.")
    boolean json;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    static final class ClientKindConverter implements picocli.CommandLine.ITypeConverter<ClientKind> {
        @Override
        public ClientKind convert(String value) {
            return ClientKind.parse(value);
        }
    }

    /** The HTTP/2 settings the options ask for, or {@code null} for HTTP/1.1. */
    private Http2Options http2Options() throws IOException {
        if (http2 && h2c) {
            throw new ParameterException(spec.commandLine(), "--http2 and --h2c are exclusive");
        }
        if (!http2 && !h2c) {
            if (connections != null || streams != null || trust != null) {
                throw new ParameterException(spec.commandLine(), "--connections, --streams and --trust need --http2 or --h2c");
            }
            return null;
        }
        if (maxConns != 0) {
            throw new ParameterException(spec.commandLine(), "over HTTP/2 the connection cap is --connections, not --max-conns");
        }
        int n = connections != null ? connections : 1;
        int m;
        if (streams != null) {
            if (concurrency != null && concurrency != n * streams) {
                throw new ParameterException(spec.commandLine(), "-c " + concurrency + " is not --connections x --streams ("
                        + n + " x " + streams + "); give two of them");
            }
            m = streams;
        } else if (concurrency != null) {
            if (concurrency % n != 0) {
                throw new ParameterException(spec.commandLine(), "-c " + concurrency + " is not a multiple of --connections " + n);
            }
            m = concurrency / n;
        } else {
            m = EmbeddedServer.DEFAULT_MAX_CONCURRENT_STREAMS;
        }
        Http2Options.Mode mode = http2 ? Http2Options.Mode.TLS : Http2Options.Mode.PRIOR_KNOWLEDGE;
        if (url != null && !url.getScheme().equalsIgnoreCase(mode == Http2Options.Mode.TLS ? "https" : "http")) {
            throw new ParameterException(spec.commandLine(), (http2 ? "--http2 needs an https://" : "--h2c needs an http://") + " URL: " + url);
        }
        if (trust != null && (url == null || mode != Http2Options.Mode.TLS)) {
            throw new ParameterException(spec.commandLine(), "--trust is for --http2 with a URL (the embedded server's certificate is trusted already)");
        }
        if (url != null && mode == Http2Options.Mode.TLS && trust == null) {
            throw new ParameterException(spec.commandLine(), "--http2 with a URL needs --trust FILE (the server's certificate)");
        }
        try {
            Http2Options h2 = new Http2Options(mode, n, m, streamWindow, connectionWindow, null);
            return trust == null ? h2 : h2.withTrust(BenchCertificate.readPem(trust));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (url != null) {
            try {
                Loopback.require(url);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        Http2Options h2 = http2Options();
        int c = h2 != null ? h2.concurrency() : concurrency != null ? concurrency : 64;
        LoadOptions options = new LoadOptions(url, c, duration, warmup, method.toUpperCase(Locale.ROOT),
                bodySize, responseSize,
                maxIdle != null ? maxIdle : LoadOptions.defaultMaxIdle(c),
                h2 != null ? h2.connections() : maxConns,
                ioThreads != null ? ioThreads : Runtime.getRuntime().availableProcessors(),
                transport, serverThreads,
                !quiet && warmup.plus(duration).compareTo(Duration.ofSeconds(2)) > 0, client, h2);
        if (h2 != null && !client.speaksHttp2(h2.mode())) {
            throw new ParameterException(spec.commandLine(), "the " + client.label() + " client has no "
                    + h2.mode().label() + " here (" + ClientKind.http2Clients(h2.mode()) + " have)");
        }
        if (h2 != null && client == ClientKind.JDK && h2.connections() > 1) {
            throw new ParameterException(spec.commandLine(), "the JDK client keeps one HTTP/2 connection per origin and fails "
                    + "requests beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS (\"too many concurrent streams\"): "
                    + "use --connections 1");
        }
        LoadResult result = LoadGenerator.run(options, System.err);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? result.toJson() + System.lineSeparator() : result.toTable());
        out.flush();
        return result.passed() ? 0 : 1;
    }
}
