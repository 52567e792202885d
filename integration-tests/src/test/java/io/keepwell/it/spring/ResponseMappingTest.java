package io.keepwell.it.spring;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What WebClient reads off a response, over either connector: status, headers, cookies, and a body read once. */
class ResponseMappingTest {

    @RegisterExtension
    final SpringFixture fixture = new SpringFixture();

    @ParameterizedTest
    @EnumSource(WebClientConnector.class)
    void statusMultiValuedHeadersAndCookiesAreMapped(WebClientConnector connector) {
        AtomicReference<List<ResponseCookie>> cookies = new AtomicReference<>();
        ResponseEntity<String> entity = fixture.webClient(connector).get().uri(SpringRoutes.HEADERS)
                .exchangeToMono(response -> {
                    cookies.set(response.cookies().values().stream().flatMap(List::stream).toList());
                    return response.toEntity(String.class);
                })
                .block(SpringFixture.DEADLINE);

        assertNotNull(entity);
        assertEquals(HttpStatus.CREATED, entity.getStatusCode());
        assertEquals(SpringRoutes.HEADERS_BODY, entity.getBody());
        assertEquals(List.of("one", "two"), entity.getHeaders().get("x-multi"), "header names are case-insensitive, values kept in order");
        assertEquals(2, entity.getHeaders().get("Set-Cookie").size());

        ResponseCookie session = cookies.get().stream().filter(c -> c.getName().equals("session")).findFirst().orElseThrow();
        assertEquals("abc", session.getValue());
        assertEquals("/app", session.getPath());
        assertEquals(Duration.ofSeconds(60), session.getMaxAge());
        assertTrue(session.isSecure() && session.isHttpOnly(), session.toString());
        assertEquals("Strict", session.getSameSite());
        ResponseCookie theme = cookies.get().stream().filter(c -> c.getName().equals("theme")).findFirst().orElseThrow();
        assertEquals("dark", theme.getValue());
        assertEquals(2, cookies.get().size());
    }

    @ParameterizedTest
    @EnumSource(WebClientConnector.class)
    void aSecondSubscriptionToAResponseBodyFails(WebClientConnector connector) {
        AtomicReference<String> firstRead = new AtomicReference<>();
        Throwable second = fixture.webClient(connector).get().uri(SpringRoutes.HEADERS)
                .exchangeToMono(response -> response.bodyToMono(String.class)
                        .doOnNext(firstRead::set)
                        .then(response.bodyToMono(String.class))
                        .map(body -> (Throwable) new AssertionError("the second subscriber read " + body))
                        .onErrorResume(Mono::just))
                .block(SpringFixture.DEADLINE);

        assertEquals(SpringRoutes.HEADERS_BODY, firstRead.get());
        assertNotNull(second, "the second subscriber completed empty");
        for (Throwable t = second; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException) {
                return;
            }
        }
        throw new AssertionError("the second subscriber did not fail with an IllegalStateException", second);
    }
}
