package io.keepwell.it.spring;

import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.spring.KeepwellClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;

import java.net.http.HttpClient;

/** The two ways WebClient reaches the engine: Spring's connector for any HttpClient, and Keepwell's own. */
enum WebClientConnector {

    /** Spring's {@link JdkClientHttpConnector}: its response body is a {@code Flux.cache(0)}. */
    JDK {
        @Override
        ClientHttpConnector on(HttpClient client) {
            return new JdkClientHttpConnector(client);
        }
    },

    /** keepwell-spring's {@link KeepwellClientHttpConnector}: the body is the client's subscription itself. */
    KEEPWELL {
        @Override
        ClientHttpConnector on(HttpClient client) {
            if (!(client instanceof KeepwellHttpClient keepwell)) {
                throw new IllegalStateException("KeepwellClientHttpConnector needs a KeepwellHttpClient, not " + client);
            }
            return new KeepwellClientHttpConnector(keepwell);
        }
    };

    abstract ClientHttpConnector on(HttpClient client);
}
