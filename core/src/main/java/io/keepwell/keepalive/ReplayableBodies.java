package io.keepwell.keepalive;

import io.keepwell.http.FileBodyPublisher;

import java.net.http.HttpRequest.BodyPublisher;

/**
 * Whether a request body can be produced again by subscribing to its publisher once more, which a
 * retry after written bytes and a 307/308 redirect need. The JDK's own publishers can (each
 * subscription reads the bytes, the file or a new stream from the supplier again), except
 * {@code ofPublisher}, which forwards to the caller's publisher, and {@code concat}; a publisher
 * of unknown kind is taken to be one-shot.
 */
public final class ReplayableBodies {

    /** The JDK's publishers live in this package; its {@code ofPublisher} adapter is the one that is one-shot. */
    private static final String JDK_PUBLISHERS = "jdk.internal.net.http.RequestPublishers$";
    private static final java.util.Set<String> JDK_ONE_SHOT = java.util.Set.of(
            JDK_PUBLISHERS + "PublisherAdapter",
            JDK_PUBLISHERS + "AggregatePublisher"); // concat: replayable only if every part is, which it cannot tell

    private ReplayableBodies() {
    }

    /** Whether subscribing to {@code body} again produces the same bytes again. */
    public static boolean canSendAgain(BodyPublisher body) {
        if (body.contentLength() == 0 || body instanceof FileBodyPublisher) {
            return true;
        }
        String kind = body.getClass().getName();
        return kind.startsWith(JDK_PUBLISHERS) && !JDK_ONE_SHOT.contains(kind);
    }
}
