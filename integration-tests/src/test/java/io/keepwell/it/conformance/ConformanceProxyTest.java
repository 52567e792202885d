package io.keepwell.it.conformance;

import io.keepwell.http.ProxyException;
import io.keepwell.http.ProxyRules;
import io.keepwell.it.support.proxy.TestHttpProxy;

import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * An HTTP proxy that forwards {@code http} requests ({@link TestHttpProxy}), chosen by a
 * {@link ProxyRules} selector: absolute-form requests, and its Basic {@code 407} answered with the
 * authenticator's credentials. The origin is port 1 on localhost, where nothing listens.
 */
class ConformanceProxyTest extends ConformanceFixture {

    private static final URI ORIGIN = URI.create("http://localhost:1/p?q=1");

    private HttpClient through(Engine engine, TestHttpProxy proxy, Authenticator authenticator) {
        return clients.newClient(engine, builder -> {
            builder.proxy(ProxyRules.builder().http(proxy.address()).build());
            return authenticator == null ? builder : builder.authenticator(authenticator);
        });
    }

    private TestHttpProxy proxy() throws Exception {
        return TestHttpProxy.start(servers);
    }

    @EachEngine
    void httpRequestsGoToTheProxyInAbsoluteForm(Engine engine) throws Exception {
        TestHttpProxy proxy = proxy();
        HttpResponse<String> response = await(through(engine, proxy, null)
                .sendAsync(HttpRequest.newBuilder(ORIGIN).build(), BodyHandlers.ofString()));
        assertEquals(200, response.statusCode());
        assertEquals("origin: GET http://localhost:1/p?q=1", response.body());
        assertEquals("localhost:1", proxy.requests().get(0).header("host"));
        assertNull(proxy.requests().get(0).header("proxy-authorization"));
    }

    @EachEngine
    void theProxysBasicChallengeIsAnsweredAsTheProxysRequestor(Engine engine) throws Exception {
        TestHttpProxy proxy = proxy().requireCredentials("user", "pw");
        AtomicInteger asked = new AtomicInteger();
        List<Authenticator.RequestorType> types = new java.util.concurrent.CopyOnWriteArrayList<>();
        Authenticator authenticator = new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                asked.incrementAndGet();
                types.add(getRequestorType());
                return new PasswordAuthentication("user", "pw".toCharArray());
            }
        };
        HttpResponse<String> response = await(through(engine, proxy, authenticator)
                .sendAsync(HttpRequest.newBuilder(ORIGIN).build(), BodyHandlers.ofString()));
        assertEquals(200, response.statusCode());
        assertEquals(407, response.previousResponse().orElseThrow().statusCode());
        assertEquals(List.of(Authenticator.RequestorType.PROXY), types);
        assertEquals(1, asked.get());
        assertEquals(TestHttpProxy.basic("user", "pw"), proxy.requests().get(1).header("proxy-authorization"));
    }

    @EachEngine
    void anUnanswered407(Engine engine) throws Exception {
        TestHttpProxy proxy = proxy().requireCredentials("user", "pw");
        HttpClient client = through(engine, proxy, null);
        var sent = client.sendAsync(HttpRequest.newBuilder(ORIGIN).build(), BodyHandlers.ofString());
        if (engine.has(Difference.FORWARDED_PROXY_407_FAILS)) {
            ProxyException refused = assertInstanceOf(ProxyException.class, Exchanges.failureOf(sent));
            assertEquals(407, refused.statusCode());
        } else {
            assertEquals(407, await(sent).statusCode());
        }
        assertEquals(1, proxy.requests().size());
    }
}
