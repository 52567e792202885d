package io.keepwell.bench.load;

import io.keepwell.bench.load.peers.AhcLoadClient;
import io.keepwell.bench.load.peers.ApacheLoadClient;
import io.keepwell.bench.load.peers.JdkLoadClient;
import io.keepwell.bench.load.peers.JettyLoadClient;
import io.keepwell.bench.load.peers.NettyLoadClient;
import io.keepwell.bench.load.peers.ReactorLoadClient;
import io.keepwell.bench.load.peers.SpringWebClientLoadClient;

import java.net.URI;
import java.util.Locale;

/** The clients {@code load --client} can drive. */
public enum ClientKind {
    KEEPWELL,
    /** Keepwell with {@code executor(..)} set to a cached thread pool, as the JDK client's default executor is. */
    KEEPWELL_EXECUTOR,
    /**
     * Bare Netty 4.2.18: HttpClientCodec and one handler, a connection per lane (the ceiling);
     * over HTTP/2 Http2FrameCodec and Http2MultiplexHandler on N connections, a stream channel per request.
     */
    NETTY,
    /** java.net.http.HttpClient (the JDK's). */
    JDK,
    /** Eclipse Jetty 12 HttpClient. */
    JETTY,
    /** Apache HttpClient 5 async (CloseableHttpAsyncClient). */
    APACHE,
    /** AsyncHttpClient 3 (DefaultAsyncHttpClient). */
    AHC,
    /** Reactor Netty 1.3 HttpClient. */
    REACTOR,
    /** Spring WebClient on Spring's {@code JdkClientHttpConnector} over a Keepwell client. */
    SPRING_JDK,
    /** Spring WebClient on keepwell-spring's {@code KeepwellClientHttpConnector} over a Keepwell client. */
    SPRING_KEEPWELL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether this client speaks HTTP/2 in {@code mode} here. The JDK's has no prior knowledge
     * (it upgrades from HTTP/1.1); AsyncHttpClient has no HTTP/2. The bare Netty client is
     * {@code NettyHttp2LoadClient} over HTTP/2.
     */
    public boolean speaksHttp2(Http2Options.Mode mode) {
        return switch (this) {
            case KEEPWELL, KEEPWELL_EXECUTOR, SPRING_JDK, SPRING_KEEPWELL, NETTY, JETTY, APACHE, REACTOR -> true;
            case JDK -> mode == Http2Options.Mode.TLS;
            case AHC -> false;
        };
    }

    /** The labels of the clients that speak HTTP/2 in {@code mode}, for messages and the scripts. */
    public static String http2Clients(Http2Options.Mode mode) {
        StringBuilder b = new StringBuilder();
        for (ClientKind k : values()) {
            if (k.speaksHttp2(mode)) {
                b.append(b.length() == 0 ? "" : " ").append(k.label());
            }
        }
        return b.toString();
    }

    /** Picocli accepts the lower-case names. */
    public static ClientKind parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    LoadClient create(LoadOptions options, URI target, byte[] body) throws Exception {
        return switch (this) {
            case KEEPWELL -> new KeepwellLoadClient(options, target, null);
            case KEEPWELL_EXECUTOR -> new KeepwellLoadClient(options, target, java.util.concurrent.Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "keepwell-bench-executor");
                thread.setDaemon(true);
                return thread;
            }));
            case NETTY -> options.http2() == null ? new NettyLoadClient(options, target, body)
                    : new io.keepwell.bench.load.peers.NettyHttp2LoadClient(options, target, body);
            case JDK -> new JdkLoadClient(options, target, body);
            case JETTY -> new JettyLoadClient(options, target, body);
            case APACHE -> new ApacheLoadClient(options, target, body);
            case AHC -> new AhcLoadClient(options, target, body);
            case REACTOR -> new ReactorLoadClient(options, target, body);
            case SPRING_JDK -> new SpringWebClientLoadClient(options, target, body, SpringWebClientLoadClient.Connector.JDK);
            case SPRING_KEEPWELL -> new SpringWebClientLoadClient(options, target, body, SpringWebClientLoadClient.Connector.KEEPWELL);
        };
    }
}
