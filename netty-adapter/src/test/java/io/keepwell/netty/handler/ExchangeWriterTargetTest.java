package io.keepwell.netty.handler;

import java.net.http.HttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The request line and Host header the writer produces from a URI. */
class ExchangeWriterTargetTest {

    private static String target(URI uri) {
        DefaultFullHttpRequest encoded = new ExchangeWriter(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(10)).encodeBodyless(HttpRequest.newBuilder(uri).build());
        try {
            return encoded.uri();
        } finally {
            encoded.release();
        }
    }

    @Test
    void nonAsciiInPathAndQueryIsSentPercentEncoded() throws Exception {
        assertEquals("/caf%C3%A9/%F0%9F%98%80?q=%C3%BC&r=%E2%82%AC",
                target(new URI("http", null, "example.com", -1, "/café/\uD83D\uDE00", "q=ü&r=€", null)));
    }

    @Test
    void asciiTargetsAreSentAsTheyAre() {
        assertEquals("/a%20b?x=%0D%0A", target(URI.create("http://example.com/a%20b?x=%0D%0A")));
        assertEquals("/", target(URI.create("http://example.com")));
        String ascii = "/plain/path?q=1";
        assertSame(ascii, ExchangeWriter.asciiTarget(ascii));
    }

    @Test
    void hostHeaderOmitsOnlyTheSchemesDefaultPort() {
        assertEquals("example.com", ExchangeWriter.hostHeader(URI.create("http://example.com/")));
        assertEquals("example.com", ExchangeWriter.hostHeader(URI.create("http://example.com:80/")));
        assertEquals("example.com", ExchangeWriter.hostHeader(URI.create("https://example.com:443/")));
        assertEquals("example.com:443", ExchangeWriter.hostHeader(URI.create("http://example.com:443/")));
        assertEquals("example.com:8080", ExchangeWriter.hostHeader(URI.create("http://user:pw@example.com:8080/")));
        assertEquals("[::1]:8080", ExchangeWriter.hostHeader(URI.create("http://[::1]:8080/")));
        assertEquals("[::1]", ExchangeWriter.hostHeader(URI.create("http://[::1]/")));
    }
}
