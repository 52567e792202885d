package io.keepwell.http;

import java.net.http.HttpResponse;

/**
 * A body subscriber that is done with every buffer when its {@code onNext} returns: it reads or
 * copies what it needs there and keeps no reference. A Keepwell client then hands it read-only
 * views of the memory the response was received into instead of copies (none of the body is
 * copied on the way to it), and reuses that memory once {@code onNext} returns. Any other client
 * hands it buffers of its own, which it may treat the same way.
 *
 * <p>A subscriber that holds on to a buffer past {@code onNext} (queues it, hands it to another
 * thread) must not implement this: what it holds would change under it. Chunks that arrive while
 * the subscriber has no demand are copied and queued as for any subscriber, so the rule holds for
 * them too.
 *
 * @param <T> the body type
 */
public interface BorrowingBodySubscriber<T> extends HttpResponse.BodySubscriber<T> {
}
