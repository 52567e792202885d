package io.keepwell.it.dns;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.netty.ClientInternals;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.keepwell.it.dns.ResolverFixture.nameserver;
import static io.keepwell.it.support.dns.TestDnsServer.a;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client resolving through HostResolvers.create's resolver: the test name server, its cache, the hosts file. */
class ClientResolutionTest extends NameServerTestBase {

    private static final String CLOSING_OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi";

    @RegisterExtension
    final ClientLeakCheck leakCheck = new ClientLeakCheck();

    @Test
    void aNameTheNameServerAnswersIsReachedAndItsAnswerServesTheNextConnectFromTheCache() throws Exception {
        try (ScriptedServer origin = ScriptedServer.start(request -> Actions.rawThenClose(CLOSING_OK))) {
            server.set("app.test", a("127.0.0.1", 60));
            KeepwellHttpClient client = leakCheck.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                    .resolver(List.of(server.address())));
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://app.test:" + origin.port() + "/")).build();

            assertEquals("hi", client.send(request, HttpResponse.BodyHandlers.ofString()).body());
            int queries = server.queries("app.test");
            assertEquals("hi", client.send(request, HttpResponse.BodyHandlers.ofString()).body());

            assertEquals(2, origin.acceptedConnections(), "the server closed the first connection");
            assertEquals(queries, server.queries("app.test"), "the second connect was resolved from the cache");
        }
    }

    @Test
    void theHostsFileAnswersBeforeTheNameServerOfTheResolvConf() throws Exception {
        try (ScriptedServer origin = ScriptedServer.start(request -> Actions.ok("hi"))) {
            server.set("hosted.test", a("127.0.0.9", 60));
            KeepwellHttpClient client = leakCheck.newClient(ClientInternals.resolverFiles(
                    KeepwellHttpClient.newBuilder().eventLoopThreads(1),
                    fixture.resolvConf(nameserver(server.address())), fixture.hosts("127.0.0.1 hosted.test")));

            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("http://hosted.test:" + origin.port() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals("hi", response.body());
            assertEquals(0, server.queries("hosted.test"));
        }
    }

    @Test
    void aNameThatDoesNotExistFailsTheRequestWithTheUnknownHost() throws Exception {
        KeepwellHttpClient client = leakCheck.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .resolver(List.of(server.address())));

        ExecutionException failure = assertThrows(ExecutionException.class, () -> client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://nowhere.test:8080/")).build(),
                HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));

        assertInstanceOf(IOException.class, failure.getCause());
        UnknownHostException unknown = unknownHost(failure.getCause());
        assertTrue(unknown.getMessage().contains("nowhere.test"), unknown.getMessage());
        assertTrue(server.queries("nowhere.test") > 0);
    }

    private static UnknownHostException unknownHost(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException unknown) {
                return unknown;
            }
        }
        throw new AssertionError("no UnknownHostException in " + failure, failure);
    }
}
