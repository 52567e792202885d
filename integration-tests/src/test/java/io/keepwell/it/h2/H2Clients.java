package io.keepwell.it.h2;

import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.h2.ClientTls;
import io.keepwell.it.support.h2.H2Mode;
import io.keepwell.it.support.h2.H2Reply;
import io.keepwell.it.support.h2.H2Request;
import io.keepwell.it.support.h2.H2Server;
import io.keepwell.it.support.h2.H2ServerConfig;
import io.keepwell.netty.KeepwellHttpClient;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the HTTP/2 tests share: one certificate, servers presenting it, clients trusting it. */
final class H2Clients {

    static final Duration WAIT = Duration.ofSeconds(20);
    private static TestCertificates certificates; // guarded by H2Clients.class

    private H2Clients() {
    }

    static synchronized TestCertificates certificates() throws Exception {
        if (certificates == null) {
            certificates = TestCertificates.generate("dns:localhost,ip:127.0.0.1");
        }
        return certificates;
    }

    /** A server config over TLS, offering h2 then http/1.1. */
    static H2ServerConfig.Builder tlsServer() throws Exception {
        return tlsServer(H2Mode.TLS_H2_OR_HTTP1);
    }

    static H2ServerConfig.Builder tlsServer(H2Mode mode) throws Exception {
        return H2ServerConfig.builder(mode).tls(certificates().serverContext());
    }

    /** A one-thread client trusting the test certificate; it offers ALPN h2, http/1.1 itself. */
    static KeepwellHttpClient.Builder trustingClient() throws Exception {
        return KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .sslContext(ClientTls.clientSslContextTrusting(certificates().certificate()));
    }

    /** A reply naming the connection that served it, so a test can tell where a retry went. */
    static H2Reply servedOn(H2Request request) {
        return H2Reply.ok("connection " + request.connectionId());
    }

    static HttpRequest get(H2Server server, String path) {
        return HttpRequest.newBuilder(server.uri(path)).build();
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    static Throwable failureOf(CompletableFuture<?> future) {
        return assertThrows(ExecutionException.class, () -> await(future)).getCause();
    }
}
