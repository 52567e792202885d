package io.keepwell.it.conformance;

import java.net.http.HttpClient;
import java.util.function.Supplier;

/** An implementation of {@link HttpClient} under test, configured only through the standard builder. */
public record Engine(String name, Supplier<HttpClient.Builder> builders) {

    public HttpClient.Builder newBuilder() {
        return builders.get();
    }

    @Override
    public String toString() {
        return name;
    }
}
