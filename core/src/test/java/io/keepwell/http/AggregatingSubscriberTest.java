package io.keepwell.http;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AggregatingSubscriberTest {

    private static final Flow.Subscription UNBOUNDED = new Flow.Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };

    private static AggregatingSubscriber<String> strings(long limit, long announced) {
        return new AggregatingSubscriber<>(bytes -> new String(bytes, StandardCharsets.US_ASCII), limit, announced);
    }

    private static List<ByteBuffer> ascii(String s) {
        return List.of(ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Issue 10 item 4: the announced Content-Length was allocated up front, 30 MB for a body of 1 byte. */
    @Test
    void holdsWhatArrivedNotWhatWasAnnounced() {
        AggregatingSubscriber<String> s = strings(32L * 1024 * 1024, 30_000_000);
        s.onSubscribe(UNBOUNDED);
        assertEquals(0, s.capacity());
        s.onNext(ascii("x"));
        assertEquals(1, s.capacity());
        s.onNext(ascii("yz"));
        assertEquals(3, s.capacity());
    }

    @Test
    void manyPiecesAreJoinedInOrder() {
        AggregatingSubscriber<String> s = strings(1024, -1);
        s.onSubscribe(UNBOUNDED);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            s.onNext(List.of(ByteBuffer.wrap(("p" + i).getBytes(StandardCharsets.US_ASCII)), ByteBuffer.allocate(0)));
            expected.append("p").append(i);
        }
        s.onComplete();
        assertEquals(expected.toString(), s.getBody().toCompletableFuture().join());
        assertEquals(0, s.capacity(), "the pieces are let go once joined");
    }

    @Test
    void holdsAtMostTwiceWhatArrivedWhileGrowing() {
        AggregatingSubscriber<String> s = strings(1 << 20, -1);
        s.onSubscribe(UNBOUNDED);
        for (int i = 0; i < 1000; i++) {
            s.onNext(ascii("abc"));
            assertTrue(s.capacity() <= 2 * s.size(), s.capacity() + " held for " + s.size() + " arrived");
        }
        s.onComplete();
        assertEquals("abc".repeat(1000), s.getBody().toCompletableFuture().join());
    }

    @Test
    void aBodyArrivingAtItsAnnouncedLengthIsReturnedWithoutAFinalCopy() {
        byte[] sent = new byte[65536];
        new java.util.Random(7).nextBytes(sent);
        AggregatingSubscriber<byte[]> s = new AggregatingSubscriber<>(b -> b, 1 << 20, sent.length);
        s.onSubscribe(UNBOUNDED);
        for (int at = 0; at < sent.length; at += 16384) {
            s.onNext(List.of(ByteBuffer.wrap(sent, at, 16384).asReadOnlyBuffer()));
            assertTrue(s.capacity() <= sent.length, "grew past the announced length: " + s.capacity());
        }
        byte[] held = heldArray(s);
        s.onComplete();
        byte[] body = s.getBody().toCompletableFuture().join();
        assertArrayEquals(sent, body);
        assertSame(held, body, "the array the bytes were copied into is the body");
    }

    @Test
    void aBodyShorterThanAnnouncedIsTrimmed() {
        AggregatingSubscriber<byte[]> s = new AggregatingSubscriber<>(b -> b, 1 << 20, 10);
        s.onSubscribe(UNBOUNDED);
        s.onNext(ascii("abcd"));
        s.onComplete();
        assertArrayEquals("abcd".getBytes(StandardCharsets.US_ASCII), s.getBody().toCompletableFuture().join());
    }

    private static byte[] heldArray(AggregatingSubscriber<?> s) {
        try {
            java.lang.reflect.Field f = AggregatingSubscriber.class.getDeclaredField("bytes");
            f.setAccessible(true);
            return (byte[]) f.get(s);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aBodyBeyondTheLimitFailsAndIsLetGo() {
        AggregatingSubscriber<String> s = strings(4, -1);
        s.onSubscribe(UNBOUNDED);
        s.onNext(ascii("abc"));
        s.onNext(ascii("de"));
        BodyTooLargeException e = assertInstanceOf(BodyTooLargeException.class,
                assertThrows(CompletionException.class, () -> s.getBody().toCompletableFuture().join()).getCause());
        assertEquals(5, e.size());
        assertEquals(0, s.capacity());
    }

    @Test
    void anAnnouncedLengthBeyondTheLimitFailsAtOnce() {
        AggregatingSubscriber<String> s = strings(4, 5);
        s.onSubscribe(UNBOUNDED);
        assertInstanceOf(BodyTooLargeException.class,
                assertThrows(CompletionException.class, () -> s.getBody().toCompletableFuture().join()).getCause());
    }

    @Test
    void anEmptyBodyIsEmpty() {
        AggregatingSubscriber<String> s = strings(4, 0);
        s.onSubscribe(UNBOUNDED);
        s.onComplete();
        assertEquals("", s.getBody().toCompletableFuture().join());
    }
}
