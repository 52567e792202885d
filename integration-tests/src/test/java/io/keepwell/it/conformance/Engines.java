package io.keepwell.it.conformance;

import org.junit.jupiter.params.provider.Arguments;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

/** The engines every conformance test runs against. */
public final class Engines {

    private static final List<Engine> ALL = List.of(
            new Engine("JDK", HttpClient::newBuilder, EnumSet.noneOf(Difference.class)),
            new Engine("Keepwell", io.keepwell.netty.KeepwellHttpClient::newBuilder, EnumSet.allOf(Difference.class))
    );

    private Engines() {}

    /** The engines, as the argument source of {@link EachEngine}. */
    public static Stream<Engine> all() {
        return ALL.stream();
    }

    /** Every engine paired with every value: arguments (engine, value). */
    public static Stream<Arguments> with(Object... values) {
        return all().flatMap(engine -> Stream.of(values).map(value -> Arguments.of(engine, value)));
    }

    /** Every engine with every combination of one value from each dimension: (engine, a, b, ...). */
    public static Stream<Arguments> crossed(List<?>... dimensions) {
        List<List<Object>> combinations = List.of(List.of());
        for (List<?> dimension : dimensions) {
            List<List<Object>> next = new ArrayList<>();
            for (List<Object> prefix : combinations) {
                for (Object value : dimension) {
                    List<Object> combination = new ArrayList<>(prefix);
                    combination.add(value);
                    next.add(combination);
                }
            }
            combinations = next;
        }
        List<List<Object>> all = combinations;
        return all().flatMap(engine -> all.stream().map(combination -> {
            List<Object> arguments = new ArrayList<>();
            arguments.add(engine);
            arguments.addAll(combination);
            return Arguments.of(arguments.toArray());
        }));
    }

    /**
     * Closes {@code client} if it can be closed. On Java 17 the JDK's client has no close() and its
     * resources go when it becomes garbage. Keepwell's close() is graceful: it waits for the
     * exchanges in flight, which some tests leave held by the server; closeAsync() fails them now.
     */
    public static void close(HttpClient client) throws Exception {
        if (client instanceof io.keepwell.netty.KeepwellHttpClient keepwell) {
            keepwell.closeAsync().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } else if (client instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
