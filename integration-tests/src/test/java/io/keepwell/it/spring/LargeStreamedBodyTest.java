package io.keepwell.it.spring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

import java.io.InputStream;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 256 MiB body streamed through each Spring client: every byte arrives as sent, and the heap that
 * stays reachable while it streams is a small fraction of the body.
 */
class LargeStreamedBodyTest {

    private static final long HEAP_GROWTH_BOUND = 64L << 20;
    private static final Duration DOWNLOAD_DEADLINE = Duration.ofMinutes(2);

    @RegisterExtension
    final SpringFixture fixture = new SpringFixture();

    @ParameterizedTest
    @EnumSource(WebClientConnector.class)
    void webClientStreamsDataBuffersWithBoundedMemory(WebClientConnector connector) {
        RetainedHeap heap = new RetainedHeap();
        PatternCheck check = new PatternCheck(heap);

        fixture.webClient(connector).get().uri(SpringRoutes.LARGE).retrieve().bodyToFlux(DataBuffer.class)
                .doOnNext(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        check.accept(bytes, bytes.length);
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .then().block(DOWNLOAD_DEADLINE);

        assertWholeBodyWithBoundedHeap(check, heap);
    }

    @Test
    void restClientStreamsAnInputStreamWithBoundedMemory() {
        RetainedHeap heap = new RetainedHeap();
        PatternCheck check = new PatternCheck(heap);

        fixture.restClient().get().uri(SpringRoutes.LARGE).exchange((request, response) -> {
            byte[] chunk = new byte[64 * 1024];
            try (InputStream body = response.getBody()) {
                for (int n; (n = body.read(chunk)) != -1; ) {
                    check.accept(chunk, n);
                }
            }
            return null;
        });

        assertWholeBodyWithBoundedHeap(check, heap);
    }

    private static void assertWholeBodyWithBoundedHeap(PatternCheck check, RetainedHeap heap) {
        assertEquals(SpringRoutes.LARGE_SIZE, check.bytesChecked());
        assertTrue(heap.peakGrowth() < HEAP_GROWTH_BOUND,
                "heap kept " + (heap.peakGrowth() >> 20) + " MiB while streaming; bound " + (HEAP_GROWTH_BOUND >> 20) + " MiB");
    }
}
