package io.keepwell.it.connect;

import io.keepwell.http.ProxyException;
import io.keepwell.netty.KeepwellHttpClient;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link ProxyException} a request through a proxy failed with, wherever in the cause chain it is. */
final class ProxyFailures {

    private ProxyFailures() {
    }

    static ProxyException of(KeepwellHttpClient client, HttpRequest request) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));
        Throwable t = e.getCause();
        while (t != null && !(t instanceof ProxyException)) {
            t = t.getCause();
        }
        assertTrue(t != null, "no ProxyException in " + e.getCause());
        return (ProxyException) t;
    }
}
