package io.keepwell.it.conformance;

import java.net.http.HttpClient;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An implementation of {@link HttpClient} under test, configured only through the standard builder,
 * with the {@link Difference deliberate differences} it has from the JDK 17 client.
 */
public record Engine(String name, Supplier<HttpClient.Builder> builders, Set<Difference> differences) {

    public Engine {
        differences = Set.copyOf(differences);
    }

    public HttpClient.Builder newBuilder() {
        return builders.get();
    }

    /** Whether this engine differs from the JDK 17 client in {@code difference}, on purpose. */
    public boolean has(Difference difference) {
        return differences.contains(difference);
    }

    @Override
    public String toString() {
        return name;
    }
}
