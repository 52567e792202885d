package io.keepwell.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.ConcurrentHashMap;

import static io.keepwell.micrometer.KeepwellMeterNames.EXCEPTION;
import static io.keepwell.micrometer.KeepwellMeterNames.OUTCOME;
import static io.keepwell.micrometer.KeepwellMeterNames.STATUS;

/** The {@code http.client.requests} timers of one client name and one method: by status, and by exception for calls without a response. */
final class MethodTimers {

    private final LazyArray<Timer> byStatus;
    private final ConcurrentHashMap<Class<?>, Timer> byException = new ConcurrentHashMap<>();
    private final Meter.MeterProvider<Timer> timers;

    /** {@code timers} carries every tag but status, outcome and exception. */
    MethodTimers(Meter.MeterProvider<Timer> timers) {
        this.timers = timers;
        this.byStatus = new LazyArray<>(RequestTags.STATUS_SLOTS, slot -> timers.withTags(
                STATUS, RequestTags.status(slot), OUTCOME, RequestTags.outcome(slot), EXCEPTION, RequestTags.NONE));
    }

    Timer response(int statusCode) {
        return byStatus.get(RequestTags.statusSlot(statusCode));
    }

    Timer failure(Throwable cause) {
        return byException.computeIfAbsent(cause.getClass(), type -> timers.withTags(
                STATUS, RequestTags.NO_RESPONSE_STATUS, OUTCOME, "UNKNOWN", EXCEPTION, RequestTags.exception(type)));
    }
}
