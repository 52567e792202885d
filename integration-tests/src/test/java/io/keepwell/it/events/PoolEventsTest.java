package io.keepwell.it.events;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.OfferVerdict;
import io.keepwell.pool.testing.RecordingPoolListener;
import io.keepwell.pool.testing.RecordingPoolListener.Event;
import io.keepwell.pool.testing.RecordingPoolListener.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a listener hears from a real client over loopback, in order: events, not logs. */
class PoolEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private static String describe(Event e) {
        return e.type() + (e.detail() == null ? "" : " " + e.detail());
    }

    @Test
    void aConnectionsLifeIsHeardInOrder() throws Exception {
        ScriptedServer server = servers.start(r -> r.target().equals("/bye")
                ? Actions.respond(200, "bye", "Connection: close\r\n") : Actions.ok("hi"));
        RecordingPoolListener listener = new RecordingPoolListener();
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).poolListener(listener));
        for (String path : List.of("/a", "/b", "/bye")) {
            client.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        Witnesses.awaitCondition(WAIT, () -> listener.events().stream().anyMatch(e -> e.type() == Type.CLOSED),
                () -> "no close heard: " + listener.events());
        List<String> heard = listener.events().stream().map(PoolEventsTest::describe).toList();
        assertEquals(List.of(
                "OPENED",
                "ACQUIRED false",
                "RELEASED " + OfferVerdict.POOLED,
                "ACQUIRED true",
                "RELEASED " + OfferVerdict.POOLED,
                "ACQUIRED true",
                "RELEASED " + OfferVerdict.refused(io.keepwell.pool.RefuseReason.NOT_REUSABLE),
                "CLOSED " + CloseReason.REFUSED), heard);
        long connections = listener.events().stream().map(Event::connection).distinct().count();
        assertEquals(1, connections, "every event is about the one connection");
    }
}
