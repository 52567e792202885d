package io.keepwell.keepalive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.keepwell.keepalive.KeepAliveVerdict.BAD_FRAMING;
import static io.keepwell.keepalive.KeepAliveVerdict.CLOSE_DELIMITED_BODY;
import static io.keepwell.keepalive.KeepAliveVerdict.EARLY_RESPONSE;
import static io.keepwell.keepalive.KeepAliveVerdict.HTTP10_WITHOUT_KEEP_ALIVE;
import static io.keepwell.keepalive.KeepAliveVerdict.REQUEST_ASKED_CLOSE;
import static io.keepwell.keepalive.KeepAliveVerdict.REQUEST_INCOMPLETE;
import static io.keepwell.keepalive.KeepAliveVerdict.RESPONSE_ASKED_CLOSE;
import static io.keepwell.keepalive.KeepAliveVerdict.RESPONSE_INCOMPLETE;
import static io.keepwell.keepalive.KeepAliveVerdict.REUSE;
import static io.keepwell.keepalive.KeepAliveVerdict.SERVER_MAX_REACHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The keep-alive decision as a table: one row per verdict, then rows where two causes compete. */
class KeepAlivePolicyTest {

    /** A clean HTTP/1.1 exchange, changed by each row. */
    private static final class Facts {
        boolean requestFullyWritten = true;
        boolean responseComplete = true;
        boolean requestAskedClose;
        boolean responseAskedClose;
        boolean http10;
        boolean http10KeepAlive;
        boolean closeDelimited;
        boolean framingError;
        boolean earlyResponse;
        int serverRequestsLeft = -1;

        Facts requestNotFullyWritten() { requestFullyWritten = false; return this; }
        Facts responseIncomplete() { responseComplete = false; return this; }
        Facts requestAskedClose() { requestAskedClose = true; return this; }
        Facts responseAskedClose() { responseAskedClose = true; return this; }
        Facts http10() { http10 = true; return this; }
        Facts http10KeepAlive() { http10KeepAlive = true; return this; }
        Facts closeDelimited() { closeDelimited = true; return this; }
        Facts framingError() { framingError = true; return this; }
        Facts earlyResponse() { earlyResponse = true; return this; }
        Facts serverRequestsLeft(int n) { serverRequestsLeft = n; return this; }

        ExchangeFacts build() {
            return new ExchangeFacts(requestFullyWritten, responseComplete, requestAskedClose, responseAskedClose,
                    http10, http10KeepAlive, closeDelimited, framingError, earlyResponse, serverRequestsLeft);
        }
    }

    private static Arguments row(String name, UnaryOperator<Facts> facts, KeepAliveVerdict expected) {
        return arguments(name, facts.apply(new Facts()).build(), expected);
    }

    static Stream<Arguments> oneCause() {
        return Stream.of(
                row("clean HTTP/1.1 exchange", f -> f, REUSE),
                row("HTTP/1.0 with Connection: keep-alive", f -> f.http10().http10KeepAlive(), REUSE),
                row("server allows one more request", f -> f.serverRequestsLeft(1), REUSE),
                row("request body not fully written", Facts::requestNotFullyWritten, REQUEST_INCOMPLETE),
                row("response body not read to its end", Facts::responseIncomplete, RESPONSE_INCOMPLETE),
                row("request said Connection: close", Facts::requestAskedClose, REQUEST_ASKED_CLOSE),
                row("response said Connection: close", Facts::responseAskedClose, RESPONSE_ASKED_CLOSE),
                row("HTTP/1.0 without keep-alive", Facts::http10, HTTP10_WITHOUT_KEEP_ALIVE),
                row("body delimited by close", Facts::closeDelimited, CLOSE_DELIMITED_BODY),
                row("conflicting framing", Facts::framingError, BAD_FRAMING),
                row("response before the request was written", Facts::earlyResponse, EARLY_RESPONSE),
                row("Keep-Alive: max reached", f -> f.serverRequestsLeft(0), SERVER_MAX_REACHED));
    }

    static Stream<Arguments> precedence() {
        return Stream.of(
                row("bad framing beats early response", f -> f.framingError().earlyResponse(), BAD_FRAMING),
                row("early response beats request incomplete", f -> f.earlyResponse().requestNotFullyWritten(), EARLY_RESPONSE),
                row("request incomplete beats response incomplete", f -> f.requestNotFullyWritten().responseIncomplete(), REQUEST_INCOMPLETE),
                row("response incomplete beats close-delimited", f -> f.responseIncomplete().closeDelimited(), RESPONSE_INCOMPLETE),
                row("close-delimited beats request close", f -> f.closeDelimited().requestAskedClose(), CLOSE_DELIMITED_BODY),
                row("request close beats response close", f -> f.requestAskedClose().responseAskedClose(), REQUEST_ASKED_CLOSE),
                row("response close beats HTTP/1.0", f -> f.responseAskedClose().http10(), RESPONSE_ASKED_CLOSE),
                row("response close beats HTTP/1.0 keep-alive", f -> f.responseAskedClose().http10().http10KeepAlive(), RESPONSE_ASKED_CLOSE),
                row("HTTP/1.0 beats Keep-Alive: max", f -> f.http10().serverRequestsLeft(0), HTTP10_WITHOUT_KEEP_ALIVE),
                row("Keep-Alive: max 0 applies to HTTP/1.0 keep-alive too", f -> f.http10().http10KeepAlive().serverRequestsLeft(0), SERVER_MAX_REACHED),
                row("everything wrong at once names framing", f -> f.framingError().earlyResponse().requestNotFullyWritten()
                        .responseIncomplete().closeDelimited().requestAskedClose().responseAskedClose().http10()
                        .serverRequestsLeft(0), BAD_FRAMING));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("oneCause")
    void oneCauseGivesItsVerdict(String name, ExchangeFacts facts, KeepAliveVerdict expected) {
        KeepAliveVerdict verdict = KeepAlivePolicy.decide(facts);
        assertEquals(expected, verdict);
        assertEquals(expected == REUSE, verdict.reusable());
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("precedence")
    void theMostFundamentalCauseIsNamed(String name, ExchangeFacts facts, KeepAliveVerdict expected) {
        assertEquals(expected, KeepAlivePolicy.decide(facts));
    }

    @Test
    void everyVerdictHasARow() {
        Set<Object> covered = oneCause().map(a -> a.get()[2]).collect(Collectors.toSet());
        assertEquals(EnumSet.allOf(KeepAliveVerdict.class), covered);
    }

    @Test
    void onlyReuseIsReusable() {
        for (KeepAliveVerdict v : KeepAliveVerdict.values()) {
            assertEquals(v == REUSE, v.reusable(), v.name());
        }
    }
}
