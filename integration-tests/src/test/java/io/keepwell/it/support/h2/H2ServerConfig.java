package io.keepwell.it.support.h2;

import javax.net.ssl.SSLContext;
import java.util.Objects;

/** How an {@link H2Server} starts; immutable. What may change while it runs is on the server. */
public final class H2ServerConfig {

    private final H2Mode mode;
    private final SSLContext tls;
    private final long maxConcurrentStreams;
    private final int initialWindowSize;
    private final boolean windowUpdates;
    private final H2Script script;

    private H2ServerConfig(Builder b) {
        this.mode = b.mode;
        this.tls = b.tls;
        this.maxConcurrentStreams = b.maxConcurrentStreams;
        this.initialWindowSize = b.initialWindowSize;
        this.windowUpdates = b.windowUpdates;
        this.script = b.script;
    }

    public static Builder builder(H2Mode mode) {
        return new Builder(mode);
    }

    public H2Mode mode() {
        return mode;
    }

    SSLContext tls() {
        return tls;
    }

    long maxConcurrentStreams() {
        return maxConcurrentStreams;
    }

    int initialWindowSize() {
        return initialWindowSize;
    }

    boolean windowUpdates() {
        return windowUpdates;
    }

    H2Script script() {
        return script;
    }

    public static final class Builder {
        private final H2Mode mode;
        private SSLContext tls;
        private long maxConcurrentStreams = 100; // what most servers announce (nginx, Go, Envoy's 100+)
        private int initialWindowSize = 65_535; // RFC 9113's default, so the SETTINGS frame changes nothing unless asked
        private boolean windowUpdates = true;
        private H2Script script = request -> H2Reply.ok("ok");

        private Builder(H2Mode mode) {
            this.mode = Objects.requireNonNull(mode);
        }

        /** The server's certificate; required for the TLS modes. */
        public Builder tls(SSLContext tls) {
            this.tls = tls;
            return this;
        }

        /** SETTINGS_MAX_CONCURRENT_STREAMS of the first SETTINGS; 100 by default. */
        public Builder maxConcurrentStreams(long streams) {
            this.maxConcurrentStreams = streams;
            return this;
        }

        /** SETTINGS_INITIAL_WINDOW_SIZE: how much request body a stream may send before a WINDOW_UPDATE. */
        public Builder initialWindowSize(int bytes) {
            this.initialWindowSize = bytes;
            return this;
        }

        /** False: the server never returns request-body window (window starvation). True by default. */
        public Builder windowUpdates(boolean send) {
            this.windowUpdates = send;
            return this;
        }

        public Builder script(H2Script script) {
            this.script = Objects.requireNonNull(script);
            return this;
        }

        public H2ServerConfig build() {
            if (mode.tls() != (tls != null)) {
                throw new IllegalStateException(mode + (mode.tls() ? " needs" : " takes no") + " TLS context");
            }
            return new H2ServerConfig(this);
        }
    }
}
