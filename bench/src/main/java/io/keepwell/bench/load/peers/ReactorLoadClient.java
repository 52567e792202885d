package io.keepwell.bench.load.peers;

import io.keepwell.bench.load.Http2Options;
import io.keepwell.bench.load.LoadClient;
import io.keepwell.bench.load.LoadOptions;
import io.keepwell.bench.load.VersionWitness;
import io.keepwell.netty.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.HttpMethod;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import java.net.URI;
import java.time.Duration;

/**
 * Reactor Netty 1.3's {@link HttpClient} (the line built on Netty 4.2, sharing the bench's Netty):
 * {@code request(method).uri(..).send(..).response((res, body) -> body.then(status))}, so the whole
 * body is received and each buffer released by Reactor Netty as it goes; subscribed with a
 * subscriber per exchange. Pool: a {@link ConnectionProvider} with {@code maxConnections} = C,
 * unbounded pending acquires, idle connections kept 60 s, no max life time; keep-alive is Reactor
 * Netty's default. Event loops: {@link LoopResources} with {@code --io-threads} threads, native
 * (epoll) unless {@code --transport NIO}.
 *
 * <p>Over HTTP/2: {@code protocol(H2)} with an {@link Http2SslContextSpec} trusting only the
 * run's certificate, or {@code protocol(H2C)} (prior knowledge); the provider's
 * {@link Http2AllocationStrategy} allows the run's connections × streams; the stream window is
 * {@code http2Settings(initialWindowSize)} (Reactor Netty 1.3 has no connection-window setting).
 */
public final class ReactorLoadClient implements LoadClient {

    private final ConnectionProvider provider;
    private final LoopResources loops;
    private final HttpClient.ResponseReceiver<?> receiver;
    private final boolean nativeTransport;
    private final VersionWitness versions = new VersionWitness();

    public ReactorLoadClient(LoadOptions options, URI target, byte[] body) {
        this.nativeTransport = options.transport() != Transport.NIO && Epoll.isAvailable();
        Http2Options h2 = options.http2();
        ConnectionProvider.Builder pool = ConnectionProvider.builder("keepwell-bench")
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofSeconds(60))
                .maxIdleTime(Duration.ofSeconds(60));
        if (h2 == null) {
            pool.maxConnections(options.concurrency());
        } else {
            pool.allocationStrategy(Http2AllocationStrategy.builder()
                    .maxConnections(h2.connections())
                    .maxConcurrentStreams(h2.streams())
                    .build());
        }
        this.provider = pool.build();
        this.loops = LoopResources.create("reactor-bench", options.ioThreads(), true);
        HttpClient client = HttpClient.create(provider)
                .runOn(loops, nativeTransport)
                .keepAlive(true)
                .followRedirect(false);
        if (h2 != null) {
            client = client.protocol(h2.tls() ? HttpProtocol.H2 : HttpProtocol.H2C)
                    .http2Settings(s -> s.initialWindowSize(h2.streamWindow()));
            if (h2.tls()) {
                java.security.cert.X509Certificate trust = h2.requireTrust();
                client = client.secure(spec -> spec.sslContext(Http2SslContextSpec.forClient()
                        .configure(b -> b.trustManager(trust))));
            }
        }
        HttpClient.RequestSender sender = client.request(HttpMethod.valueOf(options.method())).uri(target);
        // The receiver is an immutable description of the exchange; each subscription runs it anew.
        this.receiver = body == null ? sender : sender.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)));
    }

    @Override
    public String name() {
        return "reactor";
    }

    @Override
    public String transport() {
        return nativeTransport ? "EPOLL" : "NIO";
    }

    @Override
    public String responseVersion() {
        return versions.get();
    }

    @Override
    public Sender sender(Callback callback) {
        Mono<Integer> exchange = receiver
                .response((response, content) -> {
                    versions.saw(VersionWitness.ofMajor(response.version().majorVersion()));
                    return content.then(Mono.just(response.status().code()));
                })
                .single();
        return () -> exchange.subscribe(new ExchangeSubscriber(callback));
    }

    /** One per exchange: Reactive Streams subscribers are not to be subscribed twice. */
    private static final class ExchangeSubscriber extends BaseSubscriber<Integer> {
        private final Callback callback;
        private int status;

        ExchangeSubscriber(Callback callback) {
            this.callback = callback;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(1);
        }

        @Override
        protected void hookOnNext(Integer value) {
            status = value;
        }

        @Override
        protected void hookOnComplete() {
            callback.completed(status, null);
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            callback.completed(0, throwable);
        }
    }

    @Override
    public void close() {
        provider.disposeLater().block(Duration.ofSeconds(10));
        loops.disposeLater().block(Duration.ofSeconds(10));
    }
}
