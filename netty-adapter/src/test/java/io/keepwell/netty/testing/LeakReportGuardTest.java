package io.keepwell.netty.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proves the guard sees a real leak, so a silent guard means no leak rather than a blind one. */
class LeakReportGuardTest {

    @Test
    void theBuildRunsAtParanoid() {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel(),
                "tests must run with -Dio.netty.leakDetection.level=paranoid");
    }

    @Test
    void aBufferDroppedWithoutReleaseIsReported() {
        leakOne();
        List<String> reports = List.of();
        for (int attempt = 0; attempt < 20 && reports.isEmpty(); attempt++) {
            reports = LeakReportGuard.collectReports();
        }
        assertFalse(reports.isEmpty(), "a leaked buffer was not reported");
        assertTrue(reports.get(0).contains("LEAK"), reports.get(0));
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
    }
}
