package io.keepwell.bench;

import io.keepwell.bench.burst.BurstDemo;
import io.keepwell.bench.burst.BurstOptions;
import io.keepwell.bench.burst.BurstResult;
import io.keepwell.bench.jmh.JmhCommand;
import io.keepwell.bench.load.LoadCommand;
import io.keepwell.bench.server.ServeCommand;
import io.keepwell.bench.util.DurationConverter;
import io.keepwell.netty.Transport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The bench's executable. With no command it runs the burst demo (the leak Keepwell is built
 * around, Go's {@code TestTransportPersistConnLeak}); {@code load} measures throughput and
 * latency; {@code serve} runs the embedded server alone (for h2load or wrk); {@code jmh} runs the
 * micro-benchmarks.
 */
@Command(name = "keepwell-bench", mixinStandardHelpOptions = true, version = "keepwell-bench 0.1.0",
        subcommands = {LoadCommand.class, ServeCommand.class, JmhCommand.class},
        description = {
                "Without a command: the burst demo. N concurrent GETs are held by an embedded server until all "
                        + "arrived, then answered at once; the client may keep only --max-idle connections. Prints "
                        + "channels, process sockets and threads before, at the peak, after, and after close, and "
                        + "the pool's refusals.",
                "Exit code 1 if more than --max-idle connections stay open or anything is left after close."})
public final class BenchMain implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--burst", defaultValue = "" + BurstOptions.DEFAULT_BURST,
            description = "Concurrent requests (default: ${DEFAULT-VALUE}).")
    int burst;

    @Option(names = "--max-idle", defaultValue = "" + BurstOptions.DEFAULT_MAX_IDLE,
            description = "Pool maxIdlePerHost (default: ${DEFAULT-VALUE}).")
    int maxIdle;

    @Option(names = "--io-threads", defaultValue = "" + BurstOptions.DEFAULT_IO_THREADS,
            description = "Client event-loop threads (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--transport", defaultValue = "AUTO", description = "AUTO, EPOLL or NIO (default: ${DEFAULT-VALUE}).")
    Transport transport;

    @Option(names = "--timeout", defaultValue = "20s", converter = DurationConverter.class,
            description = "Deadline of each wait (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print the result as one JSON line instead of the table.")
    boolean json;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, for {@link #main} and for tests that run commands in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new BenchMain());
        // JMH's own options (-f, -wi, -prof ...) pass through the jmh command untouched.
        cl.getSubcommands().get("jmh").setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        BurstResult result = BurstDemo.run(new BurstOptions(burst, maxIdle, ioThreads, transport, timeout));
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? result.toJson() + System.lineSeparator() : result.toTable());
        out.flush();
        return result.passed() ? 0 : 1;
    }
}
