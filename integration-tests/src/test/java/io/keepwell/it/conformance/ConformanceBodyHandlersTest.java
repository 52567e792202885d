package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Every BodyHandler of the JDK, over bodies empty, small, of 1 MiB, by length and chunked. */
class ConformanceBodyHandlersTest extends ConformanceFixture {

    private static final String TEXT = "h\u00e9llo w\u00f6rld";

    @TempDir
    Path dir;

    static Stream<Arguments> shapes() {
        return Engines.with((Object[]) ResponseBodyShape.values());
    }

    private <T> HttpResponse<T> fetch(Engine engine, ScriptedServer.Action response, HttpResponse.BodyHandler<T> handler)
            throws Exception {
        ScriptedServer server = servers.start(request -> response);
        HttpClient client = clients.newClient(engine);
        return await(client.sendAsync(HttpRequest.newBuilder(server.uri("/body")).build(), handler));
    }

    private static ScriptedServer.Action text(byte[] body, String contentType) {
        return Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n" + contentType + "\r\n"
                + new String(body, StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void ofByteArray(Engine engine, ResponseBodyShape shape) throws Exception {
        HttpResponse<byte[]> response = fetch(engine, shape.response(), BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(shape.bytes(), response.body());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void ofInputStream(Engine engine, ResponseBodyShape shape) throws Exception {
        HttpResponse<InputStream> response = fetch(engine, shape.response(), BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertArrayEquals(shape.bytes(), body.readAllBytes());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void ofFile(Engine engine, ResponseBodyShape shape) throws Exception {
        Path file = dir.resolve("body-" + shape);
        HttpResponse<Path> response = fetch(engine, shape.response(), BodyHandlers.ofFile(file));
        assertEquals(file, response.body());
        assertArrayEquals(shape.bytes(), Files.readAllBytes(file));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void ofPublisherConsumedToItsEnd(Engine engine, ResponseBodyShape shape) throws Exception {
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = fetch(engine, shape.response(), BodyHandlers.ofPublisher());
        BodyCollector collector = new BodyCollector();
        response.body().subscribe(collector);
        assertArrayEquals(shape.bytes(), await(collector.done));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void ofByteArrayConsumerSeesEveryByteThenEmpty(Engine engine, ResponseBodyShape shape) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        HttpResponse<Void> response = fetch(engine, shape.response(), BodyHandlers.ofByteArrayConsumer(chunk -> {
            if (chunk.isPresent()) {
                seen.writeBytes(chunk.get());
            } else {
                ended.complete(null);
            }
        }));
        assertNull(response.body());
        await(ended);
        assertArrayEquals(shape.bytes(), seen.toByteArray());
    }

    @EachEngine
    void ofStringDecodesUtf8WhenNoCharsetIsGiven(Engine engine) throws Exception {
        HttpResponse<String> response = fetch(engine, text(TEXT.getBytes(StandardCharsets.UTF_8), "Content-Type: text/plain\r\n"),
                BodyHandlers.ofString());
        assertEquals(TEXT, response.body());
    }

    @EachEngine
    void ofStringDecodesTheCharsetOfTheContentType(Engine engine) throws Exception {
        HttpResponse<String> response = fetch(engine, text(TEXT.getBytes(StandardCharsets.ISO_8859_1),
                "Content-Type: text/plain; charset=ISO-8859-1\r\n"), BodyHandlers.ofString());
        assertEquals(TEXT, response.body());
    }

    @EachEngine
    void ofStringWithCharsetIgnoresTheContentType(Engine engine) throws Exception {
        HttpResponse<String> response = fetch(engine, text(TEXT.getBytes(StandardCharsets.UTF_16BE),
                "Content-Type: text/plain; charset=ISO-8859-1\r\n"), BodyHandlers.ofString(StandardCharsets.UTF_16BE));
        assertEquals(TEXT, response.body());
    }

    @EachEngine
    void ofStringOfAnEmptyBodyIsEmpty(Engine engine) throws Exception {
        assertEquals("", fetch(engine, ResponseBodyShape.CHUNKED_EMPTY.response(), BodyHandlers.ofString()).body());
    }

    @EachEngine
    void ofLinesSplitsOnLfAndCrlf(Engine engine) throws Exception {
        HttpResponse<Stream<String>> response = fetch(engine, Actions.ok("one\ntwo\r\nthree"), BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            assertEquals(List.of("one", "two", "three"), lines.collect(Collectors.toList()));
        }
    }

    @EachEngine
    void replacingGivesItsValueAndTheNextRequestReusesTheConnection(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.ok("ignored"));
        HttpClient client = clients.newClient(engine);
        HttpRequest request = HttpRequest.newBuilder(server.uri("/")).build();
        assertEquals("replacement", await(client.sendAsync(request, BodyHandlers.replacing("replacement"))).body());
        assertEquals("ignored", await(client.sendAsync(request, BodyHandlers.ofString())).body());
        assertEquals(1, server.acceptedConnections());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void discardingDrainsTheBodySoTheNextRequestReusesTheConnection(Engine engine, ResponseBodyShape shape) throws Exception {
        ScriptedServer server = servers.start(request -> request.target().equals("/discard") ? shape.response() : Actions.ok("next"));
        HttpClient client = clients.newClient(engine);
        HttpResponse<Void> discarded = await(client.sendAsync(HttpRequest.newBuilder(server.uri("/discard")).build(),
                BodyHandlers.discarding()));
        assertEquals(200, discarded.statusCode());
        assertNull(discarded.body());
        assertEquals("next", await(client.sendAsync(HttpRequest.newBuilder(server.uri("/next")).build(), BodyHandlers.ofString())).body());
        assertEquals(1, server.acceptedConnections());
    }

    @EachEngine
    void bufferingDeliversTheWholeBody(Engine engine) throws Exception {
        HttpResponse<String> response = fetch(engine, Actions.ok(TEXT.repeat(100)), BodyHandlers.buffering(BodyHandlers.ofString(), 16));
        assertEquals(TEXT.repeat(100), response.body());
    }

    @EachEngine
    void fromSubscriberFeedsTheSubscriberAndGivesNoBody(Engine engine) throws Exception {
        BodyCollector collector = new BodyCollector();
        HttpResponse<Void> response = fetch(engine, ResponseBodyShape.CHUNKED_MEBIBYTE.response(), BodyHandlers.fromSubscriber(collector));
        assertNull(response.body());
        assertArrayEquals(ResponseBodyShape.CHUNKED_MEBIBYTE.bytes(), await(collector.done));
    }

    @EachEngine
    void fromSubscriberWithFinisherGivesTheFinishersValue(Engine engine) throws Exception {
        BodyCollector collector = new BodyCollector();
        HttpResponse<Integer> response = fetch(engine, ResponseBodyShape.MEBIBYTE.response(),
                BodyHandlers.fromSubscriber(collector, c -> c.done.join().length));
        assertEquals(1 << 20, response.body());
    }

    @EachEngine
    void fromLineSubscriberFeedsLines(Engine engine) throws Exception {
        LineCollector collector = new LineCollector();
        HttpResponse<Void> response = fetch(engine, Actions.ok("one\ntwo\r\nthree\n"), BodyHandlers.fromLineSubscriber(collector));
        assertNull(response.body());
        assertEquals(List.of("one", "two", "three"), await(collector.done));
    }

    @EachEngine
    void fromLineSubscriberWithSeparatorAndFinisherDecodesTheContentTypesCharset(Engine engine) throws Exception {
        LineCollector collector = new LineCollector();
        HttpResponse<List<String>> response = fetch(engine, text("a\u00e9|b|c".getBytes(StandardCharsets.ISO_8859_1),
                "Content-Type: text/plain; charset=ISO-8859-1\r\n"), BodyHandlers.fromLineSubscriber(collector, c -> c.done.join(), "|"));
        assertEquals(List.of("a\u00e9", "b", "c"), response.body());
    }

    @EachEngine
    void aHandlerSeesTheStatusAndHeadersBeforeTheBody(Engine engine) throws Exception {
        CompletableFuture<HttpResponse.ResponseInfo> seen = new CompletableFuture<>();
        HttpResponse<String> response = fetch(engine, Actions.respond(201, "made", "X-Id: 7\r\n"), info -> {
            seen.complete(info);
            return HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
        });
        HttpResponse.ResponseInfo info = await(seen);
        assertEquals(201, info.statusCode());
        assertEquals(Optional.of("7"), info.headers().firstValue("x-id"));
        assertEquals(HttpClient.Version.HTTP_1_1, info.version());
        assertEquals("made", response.body());
    }
}
