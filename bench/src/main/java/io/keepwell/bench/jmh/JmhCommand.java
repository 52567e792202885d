package io.keepwell.bench.jmh;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jmh}: runs the JMH benchmarks packed in this jar; every argument goes to JMH unchanged,
 * e.g. {@code jmh -f 1 -wi 2 -i 3 -prof gc}, or {@code jmh -l} to list them, {@code jmh -h} for JMH's help.
 */
@Command(name = "jmh",
        description = {"Runs the JMH benchmarks; every argument goes to JMH (org.openjdk.jmh.Main).",
                "Example: jmh -f 1 -wi 2 -i 3 -prof gc    List: jmh -l    JMH help: jmh -h"})
public final class JmhCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "JMH-ARGS", description = "Arguments for JMH.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(args.toArray(new String[0]));
        return 0;
    }
}
