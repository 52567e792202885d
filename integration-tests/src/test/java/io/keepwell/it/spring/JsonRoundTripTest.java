package io.keepwell.it.spring;

import io.keepwell.it.support.ScriptedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.MediaType;
import org.springframework.http.codec.DecoderHttpMessageReader;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.reactive.function.client.ExchangeStrategies;

import java.nio.charset.StandardCharsets;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An object POSTed as JSON and read back, by both Spring clients; the server echoes the body it got. */
class JsonRoundTripTest {

    record Order(String item, int quantity) {
    }

    private static final Order ORDER = new Order("espresso", 2);
    private static final String ORDER_JSON = "{\"item\":\"espresso\",\"quantity\":2}";

    @RegisterExtension
    final SpringFixture fixture = new SpringFixture();

    @ParameterizedTest
    @EnumSource(WebClientConnector.class)
    void webClientPostsAndReadsAnObjectAsJson(WebClientConnector connector) {
        Order back = fixture.webClient(connector).post().uri(SpringRoutes.ORDERS).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(ORDER).retrieve().bodyToMono(Order.class).block(SpringFixture.DEADLINE);

        assertEquals(ORDER, back);
        assertServerReadTheOrderAsJson();
    }

    @Test
    void restClientPostsAndReadsAnObjectAsJson() {
        Order back = fixture.restClient().post().uri(SpringRoutes.ORDERS).contentType(MediaType.APPLICATION_JSON)
                .body(ORDER).retrieve().body(Order.class);

        assertEquals(ORDER, back);
        assertServerReadTheOrderAsJson();
    }

    @Test
    void bothClientsPickUpJackson3FromTheClassPath() {
        assertTrue(ExchangeStrategies.withDefaults().messageReaders().stream()
                        .anyMatch(r -> r instanceof DecoderHttpMessageReader<?> d && d.getDecoder() instanceof JacksonJsonDecoder),
                "WebClient's default readers have no JacksonJsonDecoder");
        Iterable<HttpMessageConverter<?>> converters = HttpMessageConverters.forClient().registerDefaults().build();
        assertTrue(StreamSupport.stream(converters.spliterator(), false)
                        .anyMatch(c -> c instanceof JacksonJsonHttpMessageConverter),
                "RestClient's default converters have no JacksonJsonHttpMessageConverter");
    }

    private void assertServerReadTheOrderAsJson() {
        ScriptedServer.Request received = fixture.server().requests().get(0);
        assertEquals(MediaType.APPLICATION_JSON_VALUE, received.header("content-type"));
        assertEquals(ORDER_JSON, new String(received.body(), StandardCharsets.UTF_8));
    }
}
