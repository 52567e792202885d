package io.keepwell.bench.server;

import io.keepwell.netty.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code serve}: the embedded server on its own, until the process is stopped, for load
 * generators outside the JVM ({@code h2load}, {@code wrk}) and for {@code load URL} runs in other
 * processes against the very same server.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {
                "Runs the embedded server on 127.0.0.1 until the process is stopped (SIGINT/SIGTERM).",
                "Prints its URL as the first line of stdout once it listens."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--http2", description = "HTTP/2 over TLS (ALPN h2 only, a self-signed certificate made at start).")
    boolean http2;

    @Option(names = "--h2c", description = "HTTP/2 over cleartext with prior knowledge.")
    boolean h2c;

    @Option(names = "--port", defaultValue = "0", description = "Port on 127.0.0.1, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--threads", defaultValue = "1", description = "Event-loop threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--response-size", defaultValue = "13", description = "Response body bytes (default: ${DEFAULT-VALUE}).")
    int responseSize;

    @Option(names = "--max-streams", defaultValue = "" + EmbeddedServer.DEFAULT_MAX_CONCURRENT_STREAMS,
            description = "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS (default: ${DEFAULT-VALUE}).")
    int maxStreams;

    @Option(names = "--stream-window", defaultValue = "" + EmbeddedServer.DEFAULT_STREAM_WINDOW,
            description = "HTTP/2 stream receive window, bytes (default: ${DEFAULT-VALUE}).")
    int streamWindow;

    @Option(names = "--connection-window", defaultValue = "" + EmbeddedServer.DEFAULT_CONNECTION_WINDOW,
            description = "HTTP/2 connection receive window, bytes (default: ${DEFAULT-VALUE}).")
    int connectionWindow;

    @Option(names = "--transport", defaultValue = "AUTO", description = "AUTO, EPOLL or NIO (default: ${DEFAULT-VALUE}).")
    Transport transport;

    @Option(names = "--cert-out", paramLabel = "FILE",
            description = "With --http2: write the server's certificate (PEM) here, for load --trust FILE.")
    Path certOut;

    @Override
    public Integer call() throws Exception {
        if (http2 && h2c) {
            throw new ParameterException(spec.commandLine(), "--http2 and --h2c are exclusive");
        }
        if (certOut != null && !http2) {
            throw new ParameterException(spec.commandLine(), "--cert-out needs --http2");
        }
        EmbeddedServer server = EmbeddedServer.builder()
                .protocol(http2 ? EmbeddedServer.Protocol.H2 : h2c ? EmbeddedServer.Protocol.H2C : EmbeddedServer.Protocol.HTTP_1_1)
                .port(port)
                .threads(threads)
                .responseSize(responseSize)
                .maxConcurrentStreams(maxStreams)
                .http2Windows(streamWindow, connectionWindow)
                .transport(transport)
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "keepwell-bench-serve-stop"));
        if (certOut != null) {
            server.certificate().writePem(certOut);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(server.uri("/"));
        out.flush();
        spec.commandLine().getErr().println("serving " + server + "; stop with SIGINT or SIGTERM");
        spec.commandLine().getErr().flush();
        stopped.await();
        return 0;
    }
}
