package io.keepwell.it.support.h2;

import io.netty.handler.codec.http2.Http2Error;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** What an {@link H2Server} does with one request's stream. */
public sealed interface H2Reply {

    /** Status and body, ending the stream. */
    record Respond(int status, byte[] body) implements H2Reply {
    }

    /** {@code then}, after {@code delay}. */
    record Delayed(Duration delay, H2Reply then) implements H2Reply {
    }

    /** {@code then}, once {@code gate} is released. */
    record Held(H2Gate gate, H2Reply then) implements H2Reply {
    }

    /** RST_STREAM with {@code error}. */
    record Reset(Http2Error error) implements H2Reply {
    }

    /** Nothing, ever: the stream stays open. */
    record NoAnswer() implements H2Reply {
    }

    static H2Reply ok(String body) {
        return new Respond(200, body.getBytes(StandardCharsets.UTF_8));
    }

    /** 200 with a body of {@code size} bytes, {@code 'a'} to {@code 'z'} repeating. */
    static H2Reply okOfSize(int size) {
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return new Respond(200, body);
    }

    static H2Reply after(Duration delay, H2Reply then) {
        return new Delayed(delay, then);
    }

    static H2Reply heldBy(H2Gate gate, H2Reply then) {
        return new Held(gate, then);
    }

    static H2Reply reset(Http2Error error) {
        return new Reset(error);
    }

    static H2Reply noAnswer() {
        return new NoAnswer();
    }
}
