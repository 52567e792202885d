package io.keepwell.it.conformance;

import io.keepwell.it.support.Poll;
import io.keepwell.it.support.ScriptedServer;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cancel(true) on the future of sendAsync while the server holds the response. The JDK closes the
 * connection at once. Its future ends in a race: either cancelled (get throws the
 * CancellationException) or completed exceptionally by the aborted exchange first (get throws an
 * ExecutionException caused by {@code CancellationException: Request cancelled}, and isCancelled()
 * is false); so only what both outcomes share is asserted.
 */
class ConformanceCancellationTest extends ConformanceFixture {

    private void assertCancelCloses(Engine engine, ScriptedServer.Action held) throws Exception {
        ScriptedServer server = servers.start(request -> held);
        CompletableFuture<HttpResponse<String>> response = clients.newClient(engine).sendAsync(
                HttpRequest.newBuilder(server.uri("/held")).build(), HttpResponse.BodyHandlers.ofString());
        Poll.until(server::requestCount, n -> n == 1, Exchanges.WAIT, "the request to reach the server");
        assertTrue(response.cancel(true));
        assertTrue(response.isCompletedExceptionally());
        assertInstanceOf(CancellationException.class, failureOf(response));
        Poll.until(server::openConnections, open -> open == 0, Exchanges.WAIT, "the client to close the cancelled exchange's connection");
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        try {
            await(future);
        } catch (CancellationException cancelled) {
            return cancelled;
        } catch (ExecutionException failed) {
            return failed.getCause();
        }
        throw new AssertionError("the cancelled exchange completed normally");
    }

    @EachEngine
    void cancellingBeforeTheHeadersEndsTheFutureAndClosesTheConnection(Engine engine) throws Exception {
        assertCancelCloses(engine, ConformanceActions.holdUntilClientCloses());
    }

    @EachEngine
    void cancellingWhileTheBodyIsAwaitedEndsTheFutureAndClosesTheConnection(Engine engine) throws Exception {
        assertCancelCloses(engine, ConformanceActions.rawThenHold("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"));
    }
}
