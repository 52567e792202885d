package io.keepwell.netty.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Makes a Netty leak report fail the build. Registered for every test through JUnit's extension
 * auto-detection (this module's test-jar carries the service file), it installs a leak detector
 * factory that records each report, and after every test collects garbage, makes the detectors poll
 * their queues, and fails the test if anything was reported.
 */
public final class LeakReportGuard implements AfterEachCallback, AfterAllCallback {

    private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    /** Leak reports so far, removing them. */
    public static List<String> drainReports() {
        List<String> out = new ArrayList<>();
        String r;
        while ((r = REPORTS.poll()) != null) {
            out.add(r);
        }
        return out;
    }

    /** Collects garbage and makes the detectors report what they found; returns the reports. */
    public static List<String> collectReports() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            System.runFinalization();
            provokeReporting();
        }
        return drainReports();
    }

    /** Leak detectors report only when they track a new object; allocate a few. */
    private static void provokeReporting() {
        for (int i = 0; i < 8; i++) {
            ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            pooled.release();
            ByteBuf heap = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
            heap.release();
            ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.directBuffer(16);
            unpooled.release();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        failOnReports(context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        failOnReports(context.getDisplayName() + " (after all)");
    }

    private static void failOnReports(String where) {
        if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
            return;
        }
        List<String> reports = collectReports();
        if (!reports.isEmpty()) {
            throw new AssertionError("Netty reported " + reports.size() + " leak(s) during " + where + ":\n"
                    + String.join("\n----\n", reports));
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            ResourceLeakDetector<T> detector = new ResourceLeakDetector<>(resource, samplingInterval);
            detector.setLeakListener((resourceType, records) -> REPORTS.add("LEAK of " + resourceType + ":\n" + records));
            return detector;
        }
    }
}
