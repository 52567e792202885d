package io.keepwell.keepalive;

import io.keepwell.http.KeepwellBodyPublishers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Flow;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDK's publisher classes are recognised by name: this fails if a JDK release renames them. */
class ReplayableBodiesTest {

    @Test
    void theJdksOwnPublishersCanBeSentAgain(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("body"), new byte[]{1, 2, 3});
        for (BodyPublisher body : List.of(BodyPublishers.noBody(), BodyPublishers.ofString("x"),
                BodyPublishers.ofByteArray(new byte[]{1}), BodyPublishers.ofByteArray(new byte[]{1, 2}, 1, 1),
                BodyPublishers.ofByteArrays(List.of(new byte[]{1})), BodyPublishers.ofFile(file),
                BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[]{1})),
                KeepwellBodyPublishers.ofFile(file))) {
            assertTrue(ReplayableBodies.canSendAgain(body), body.getClass().getName());
        }
    }

    @Test
    void aCallersPublisherAConcatenationAndUnknownKindsAreOneShot() {
        Flow.Publisher<ByteBuffer> callers = subscriber -> { };
        BodyPublisher unknown = new BodyPublisher() {
            @Override
            public long contentLength() {
                return 3;
            }

            @Override
            public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            }
        };
        for (BodyPublisher body : List.of(BodyPublishers.fromPublisher(callers), BodyPublishers.fromPublisher(callers, 3),
                BodyPublishers.concat(BodyPublishers.ofString("a"), BodyPublishers.fromPublisher(callers)), unknown)) {
            assertFalse(ReplayableBodies.canSendAgain(body), body.getClass().getName());
        }
    }
}
