package io.keepwell.keepalive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KeepAliveHintTest {

    /**
     * Issue 10, item 12: the server's idle limit is kept with a margin of 1 s or 10%, whichever is
     * larger, so a request is never sent as the server's timer fires.
     */
    @ParameterizedTest(name = "timeout={0} is used as {1} ms")
    @CsvSource({"0, 0", "1, 0", "2, 1000", "5, 4000", "10, 9000", "11, 9900", "30, 27000", "75, 67500", "86400, 77760000"})
    void theServerTimeoutIsUsedWithASafetyMargin(long seconds, long expectedMillis) {
        KeepAliveHint hint = KeepAliveHint.parse("timeout=" + seconds);
        assertEquals(seconds, hint.timeoutSeconds());
        assertEquals(Duration.ofMillis(expectedMillis).toNanos(), hint.timeoutNanos());
    }

    @Test
    void noTimeoutMeansNoLimitFromTheServer() {
        assertEquals(Long.MAX_VALUE, KeepAliveHint.parse("max=5").timeoutNanos());
        assertEquals(Long.MAX_VALUE, KeepAliveHint.NONE.timeoutNanos());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "timeout=5, max=100|5|100", "TIMEOUT = 7|7|-1", "max=0|-1|0", "timeout=-1|-1|-1", "timeout=5s|-1|-1",
            "timeout=86401|-1|-1", "timeout=1234567890123|-1|-1", "max=2147483648|-1|-1", "timeout|-1|-1", "=5|-1|-1",
            "timeout=|-1|-1", "timeout=3,max=4,timeout=9|9|4", "max=2147483647|-1|2147483647", "timeout=000000000005|5|-1", "timeout=0000000000005|-1|-1"})
    void parsesDefensively(String header, long timeout, int max) {
        KeepAliveHint hint = KeepAliveHint.parse(header);
        assertEquals(timeout, hint.timeoutSeconds());
        assertEquals(max, hint.max());
    }

    @Test
    void nothingToParseIsNone() {
        assertEquals(KeepAliveHint.NONE, KeepAliveHint.parse(null));
        assertEquals(KeepAliveHint.NONE, KeepAliveHint.parse(""));
        assertEquals(KeepAliveHint.NONE, KeepAliveHint.parse("timeout=x"));
    }
}
