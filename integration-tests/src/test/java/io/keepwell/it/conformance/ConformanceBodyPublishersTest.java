package io.keepwell.it.conformance;

import io.keepwell.it.support.ChaosServer;
import io.keepwell.it.support.PatternPublisher;
import io.keepwell.it.support.ScriptedServer;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Flow;

import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every BodyPublisher of the JDK: the server echoes the body it read and says whether it came
 * with a Content-Length or chunked.
 */
class ConformanceBodyPublishersTest extends ConformanceFixture {

    private static final byte[] MEBIBYTE = ResponseBodyShape.MEBIBYTE.bytes();

    @TempDir
    Path dir;

    /** POSTs {@code body}, asserts the server read exactly {@code expected} framed as {@code framing}. */
    private void assertEchoed(Engine engine, BodyPublisher body, byte[] expected, String framing) throws Exception {
        ScriptedServer server = servers.start(request -> ConformanceActions.echo());
        HttpResponse<byte[]> response = await(clients.newClient(engine).sendAsync(
                HttpRequest.newBuilder(server.uri("/echo")).POST(body).build(), HttpResponse.BodyHandlers.ofByteArray()));
        assertEquals(200, response.statusCode());
        assertEquals(framing, response.headers().firstValue("x-framing").orElseThrow());
        assertArrayEquals(expected, response.body());
    }

    /** A publisher of {@link ChaosServer#body} 0 in 8 KiB buffers, emitted as demanded. */
    private static Flow.Publisher<ByteBuffer> publisherOf(int length) {
        return PatternPublisher.of(0, length, 8192, null);
    }

    @EachEngine
    void noBodySendsAContentLengthOfZero(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.noBody(), new byte[0], "length=0");
    }

    @EachEngine
    void ofStringEncodesUtf8(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.ofString("h\u00e9llo"), "h\u00e9llo".getBytes(StandardCharsets.UTF_8), "length=6");
    }

    @EachEngine
    void ofStringWithCharsetEncodesInIt(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.ofString("h\u00e9llo", StandardCharsets.UTF_16BE),
                "h\u00e9llo".getBytes(StandardCharsets.UTF_16BE), "length=10");
    }

    @EachEngine
    void ofStringOfNothingIsAnEmptyBody(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.ofString(""), new byte[0], "length=0");
    }

    @EachEngine
    void ofByteArrayOfAMebibyte(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.ofByteArray(MEBIBYTE), MEBIBYTE, "length=" + MEBIBYTE.length);
    }

    @EachEngine
    void ofByteArrayRangeSendsOnlyTheRange(Engine engine) throws Exception {
        byte[] all = "0123456789".getBytes(StandardCharsets.US_ASCII);
        assertEchoed(engine, BodyPublishers.ofByteArray(all, 2, 5), "23456".getBytes(StandardCharsets.US_ASCII), "length=5");
    }

    @EachEngine
    void ofByteArraysIsChunked(Engine engine) throws Exception {
        List<byte[]> parts = List.of("ab".getBytes(StandardCharsets.US_ASCII), new byte[0], "cde".getBytes(StandardCharsets.US_ASCII));
        assertEchoed(engine, BodyPublishers.ofByteArrays(parts), "abcde".getBytes(StandardCharsets.US_ASCII), "chunked");
    }

    @EachEngine
    void ofFileSendsItsLength(Engine engine) throws Exception {
        Path file = Files.write(dir.resolve("upload"), MEBIBYTE);
        assertEchoed(engine, BodyPublishers.ofFile(file), MEBIBYTE, "length=" + MEBIBYTE.length);
    }

    @EachEngine
    void ofInputStreamIsChunked(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(MEBIBYTE)), MEBIBYTE, "chunked");
    }

    @EachEngine
    void ofPublisherOfUnknownLengthIsChunked(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.fromPublisher(publisherOf(1 << 20)), ChaosServer.body(0, 1 << 20), "chunked");
    }

    @EachEngine
    void ofPublisherOfKnownLengthSendsIt(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.fromPublisher(publisherOf(1 << 20), 1 << 20), ChaosServer.body(0, 1 << 20),
                "length=" + (1 << 20));
    }

    @EachEngine
    void concatOfKnownLengthsSendsTheirSum(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.concat(BodyPublishers.ofString("ab"), BodyPublishers.noBody(),
                BodyPublishers.ofByteArray("cde".getBytes(StandardCharsets.US_ASCII))), "abcde".getBytes(StandardCharsets.US_ASCII), "length=5");
    }

    @EachEngine
    void concatWithAnUnknownLengthIsChunked(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.concat(BodyPublishers.ofString("ab"),
                BodyPublishers.fromPublisher(publisherOf(3))), "ababc".getBytes(StandardCharsets.US_ASCII), "chunked");
    }

    @EachEngine
    void concatOfNothingIsAnEmptyBody(Engine engine) throws Exception {
        assertEchoed(engine, BodyPublishers.concat(), new byte[0], "length=0");
    }
}
