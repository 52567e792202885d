package io.keepwell.bench.load.peers;

import io.keepwell.bench.load.KeepwellBackedLoadClient;
import io.keepwell.bench.load.LoadOptions;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.spring.KeepwellClientHttpConnector;
import org.reactivestreams.Subscription;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.CoreSubscriber;

import java.net.URI;

/**
 * Spring WebClient (spring-webflux 7.0) over a Keepwell client, through one of two connectors:
 * Spring's {@link JdkClientHttpConnector} (which takes any {@code java.net.http.HttpClient}) or
 * keepwell-spring's {@link KeepwellClientHttpConnector}. The Keepwell client is built as the
 * {@code keepwell} client's is ({@link LoadOptions#keepwellBuilder()}: the pool from
 * {@code --max-idle}/{@code --max-conns}, {@code --io-threads}, {@code --transport}), so a run of
 * {@code keepwell}, {@code spring_keepwell} and {@code spring_jdk} shows what WebClient and each
 * connector add on top of the same client.
 *
 * <p>Each request is built as an application builds it:
 * {@code webClient.method(m).uri(target)[.bodyValue(body)].retrieve().toBodilessEntity()}.
 * {@code toBodilessEntity} reads the whole body and releases each buffer ({@code releaseBody()}
 * drains it) without aggregating it, as the other clients' discarding body handlers do; the
 * callback gets the entity's status. {@code retrieve()} turns a 4xx/5xx into a
 * {@code WebClientResponseException}, which the loop counts as an error.
 *
 * <p>The exchange is subscribed with the lane's one {@link LaneSubscriber}: a lane has one
 * exchange in flight, and the next is subscribed only after the previous one's terminal signal
 * (from within the callback), so no request allocates a bench object. This reuses a subscriber
 * sequentially, which Reactive Streams rule 2.12 does not foresee; Reactor's operators do not
 * check it, and {@code BaseSubscriber} (which does) is not used for that reason.
 */
public final class SpringWebClientLoadClient extends KeepwellBackedLoadClient {

    /** Which {@link ClientHttpConnector} the WebClient sends through. */
    public enum Connector {
        /** Spring's {@link JdkClientHttpConnector} on the Keepwell client. */
        JDK("spring_jdk"),
        /** keepwell-spring's {@link KeepwellClientHttpConnector} on the Keepwell client. */
        KEEPWELL("spring_keepwell");

        private final String label;

        Connector(String label) {
            this.label = label;
        }

        ClientHttpConnector create(KeepwellHttpClient client) {
            return this == JDK ? new JdkClientHttpConnector(client) : new KeepwellClientHttpConnector(client);
        }
    }

    private final Connector connector;
    private final WebClient webClient;
    private final URI target;
    private final HttpMethod method;
    private final byte[] body;

    public SpringWebClientLoadClient(LoadOptions options, URI target, byte[] body, Connector connector) {
        super(options.keepwellBuilder().build());
        this.connector = connector;
        this.webClient = WebClient.builder().clientConnector(connector.create(client)).build();
        this.target = target;
        this.method = HttpMethod.valueOf(options.method());
        this.body = body;
    }

    @Override
    public String name() {
        return connector.label;
    }

    @Override
    public Sender sender(Callback callback) {
        return new LaneSubscriber(callback);
    }

    /** The lane's sender and subscriber: one per lane, reused for each of its exchanges in turn. */
    private final class LaneSubscriber implements Sender, CoreSubscriber<ResponseEntity<Void>> {
        private final Callback callback;
        private int status;

        LaneSubscriber(Callback callback) {
            this.callback = callback;
        }

        @Override
        public void send() {
            status = 0;
            WebClient.RequestBodySpec spec = webClient.method(method).uri(target);
            (body == null ? spec : spec.bodyValue(body)).retrieve().toBodilessEntity().subscribe(this);
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            subscription.request(1);
        }

        @Override
        public void onNext(ResponseEntity<Void> entity) {
            status = entity.getStatusCode().value();
        }

        @Override
        public void onError(Throwable error) {
            callback.completed(0, error);
        }

        @Override
        public void onComplete() {
            callback.completed(status, null);
        }
    }
}
