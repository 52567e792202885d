package io.keepwell.it.spring;

import io.keepwell.it.support.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import java.net.ConnectException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Failures surface as Spring's exceptions; where the engine failed, its exception is in the cause chain. */
class ErrorMappingTest {

    @RegisterExtension
    final SpringFixture fixture = new SpringFixture();

    @ParameterizedTest
    @EnumSource(WebClientConnector.class)
    void webClientSurfacesA500AsWebClientResponseException(WebClientConnector connector) {
        WebClientResponseException failure = assertThrows(WebClientResponseException.class,
                () -> fixture.webClient(connector).get().uri(SpringRoutes.FAIL).retrieve().bodyToMono(String.class)
                        .block(SpringFixture.DEADLINE));

        assertEquals(HttpStatus.INTERNAL_SERVER_ERROR, failure.getStatusCode());
        assertEquals(SpringRoutes.FAILURE_BODY, failure.getResponseBodyAsString());
    }

    @Test
    void restClientSurfacesA500AsHttpServerErrorException() {
        HttpServerErrorException failure = assertThrows(HttpServerErrorException.class,
                () -> fixture.restClient().get().uri(SpringRoutes.FAIL).retrieve().body(String.class));

        assertEquals(HttpStatus.INTERNAL_SERVER_ERROR, failure.getStatusCode());
        assertEquals(SpringRoutes.FAILURE_BODY, failure.getResponseBodyAsString());
    }

    @ParameterizedTest
    @EnumSource(WebClientConnector.class)
    void webClientSurfacesARefusedConnectionAsWebClientRequestException(WebClientConnector connector) {
        WebClient client = fixture.webClient(connector);
        String refused = refusingUrl();

        WebClientRequestException failure = assertThrows(WebClientRequestException.class,
                () -> client.get().uri(refused).retrieve().toBodilessEntity().block(SpringFixture.DEADLINE));

        // The engine's own exception, not a wrapper of it, is what WebClient wraps.
        assertInstanceOf(ConnectException.class, failure.getCause());
    }

    @Test
    void restClientSurfacesARefusedConnectionAsResourceAccessException() {
        RestClient client = fixture.restClient();
        String refused = refusingUrl();

        ResourceAccessException failure = assertThrows(ResourceAccessException.class,
                () -> client.get().uri(refused).retrieve().toBodilessEntity());

        assertCauseChainHasConnectException(failure);
    }

    /** A loopback port that was bound and closed again, so nothing listens there. */
    private static String refusingUrl() {
        return "http://127.0.0.1:" + FreePorts.pick() + "/";
    }

    private static void assertCauseChainHasConnectException(Throwable failure) {
        for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return;
            }
        }
        throw new AssertionError("no ConnectException in the cause chain", failure);
    }
}
