package io.keepwell.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import static io.keepwell.micrometer.KeepwellMeterNames.CLIENT_NAME;
import static io.keepwell.micrometer.KeepwellMeterNames.METHOD;
import static io.keepwell.micrometer.KeepwellMeterNames.URI;

/** The {@code http.client.requests} timers of one {@code client.name}, by method. */
final class ClientTimers {

    private final LazyArray<MethodTimers> byMethod;

    ClientTimers(String clientName, MeterRegistry registry, Tags commonTags) {
        Tags tags = commonTags.and(URI, RequestTags.NONE, CLIENT_NAME, clientName);
        // One builder per method: a builder's provider reads the builder's tags when it registers.
        byMethod = new LazyArray<>(RequestTags.METHODS.length, i -> new MethodTimers(
                Timer.builder(KeepwellMeterNames.HTTP_CLIENT_REQUESTS)
                        .description("HTTP calls, from handing the request to the client to its future's completion")
                        .tags(tags.and(METHOD, RequestTags.METHODS[i]))
                        .withRegistry(registry)));
    }

    MethodTimers method(String method) {
        return byMethod.get(RequestTags.methodIndex(method));
    }
}
