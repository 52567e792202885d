package io.keepwell.bench.load;

import io.keepwell.bench.util.DurationConverter;
import io.keepwell.bench.util.Loopback;
import io.keepwell.netty.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code load}: a closed-loop load run against a loopback URL or the embedded server. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {
                "Closed-loop load: exactly C requests in flight, each completion sends the next.",
                "Without URL the embedded server (127.0.0.1, free port) answers. Only loopback targets are accepted.",
                "Exit code 1 when any request failed or nothing was measured."})
public final class LoadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "URL", description = "Target, e.g. http://127.0.0.1:8080/ (default: the embedded server).")
    URI url;

    @Option(names = {"-c", "--concurrency"}, defaultValue = "64", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

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
            description = "keepwell, keepwell_executor, netty (bare Netty: the ceiling), jdk, jetty, apache, ahc, reactor, "
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

    @Override
    public Integer call() throws Exception {
        if (url != null) {
            try {
                Loopback.require(url);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        LoadOptions options = new LoadOptions(url, concurrency, duration, warmup, method.toUpperCase(Locale.ROOT),
                bodySize, responseSize,
                maxIdle != null ? maxIdle : LoadOptions.defaultMaxIdle(concurrency),
                maxConns,
                ioThreads != null ? ioThreads : Runtime.getRuntime().availableProcessors(),
                transport, serverThreads,
                !quiet && warmup.plus(duration).compareTo(Duration.ofSeconds(2)) > 0, client);
        LoadResult result = LoadGenerator.run(options, System.err);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? result.toJson() + System.lineSeparator() : result.toTable());
        out.flush();
        return result.passed() ? 0 : 1;
    }
}
