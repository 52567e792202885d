package io.keepwell.netty.proxy;

import io.keepwell.http.ProxyRules;
import io.keepwell.pool.Route;
import org.junit.jupiter.api.Test;

import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ProxyCredentials}: a proxy URL's credentials first, then the authenticator as the JDK asks it; the per-route cache. */
class ProxyCredentialsTest {

    private static final Route HTTP = Route.httpProxy("proxy.test", 3128);
    private static final Route SOCKS = Route.socksProxy("socks.test", 1080);
    private static final URI ORIGIN = URI.create("http://origin.test:8080/path");

    /** Records each question and answers with {@code answer}. */
    private static final class Recording extends Authenticator {
        final List<String> asked = new ArrayList<>();
        private final PasswordAuthentication answer;

        Recording(PasswordAuthentication answer) {
            this.answer = answer;
        }

        @Override
        protected PasswordAuthentication getPasswordAuthentication() {
            asked.add(getRequestorType() + " " + getRequestingHost() + " " + getRequestingSite() + " " + getRequestingPort() + " "
                    + getRequestingProtocol() + " " + getRequestingScheme() + " " + getRequestingPrompt() + " " + getRequestingURL());
            return answer;
        }
    }

    private static PasswordAuthentication creds(String user, String password) {
        return new PasswordAuthentication(user, password.toCharArray());
    }

    @Test
    void theAuthenticatorIsAskedAsTheJdkAsksItForAProxy() {
        PasswordAuthentication answer = creds("u", "p");
        Recording authenticator = new Recording(answer);
        ProxyCredentials credentials = new ProxyCredentials(authenticator, null);
        assertSame(answer, credentials.find(HTTP, ORIGIN, "Basic", "corp"));
        assertSame(answer, credentials.find(SOCKS, ORIGIN, "SOCKS5", null));
        assertEquals(List.of("PROXY proxy.test null 3128 http Basic corp " + "http://origin.test:8080/path",
                "PROXY socks.test null 1080 SOCKS5 SOCKS5 null http://origin.test:8080/path"), authenticator.asked);
        assertTrue(new Recording(null).asked.isEmpty());
        assertNull(new ProxyCredentials(new Recording(null), null).find(HTTP, ORIGIN, "Basic", ""));
        assertNull(new ProxyCredentials(null, null).find(HTTP, ORIGIN, "Basic", ""));
        assertThrows(IllegalArgumentException.class, () -> credentials.find(Route.DIRECT, ORIGIN, "Basic", ""));
    }

    @Test
    void aProxyUrlsCredentialsComeFirstAndArePreemptive() {
        ProxyRules rules = ProxyRules.fromEnvironment(Map.of("HTTP_PROXY", "http://env:pw@Proxy.Test:3128"));
        Recording authenticator = new Recording(creds("auth", "x"));
        ProxyCredentials credentials = new ProxyCredentials(authenticator, rules);
        PasswordAuthentication found = credentials.find(HTTP, ORIGIN, "Basic", "corp");
        assertEquals("env", found.getUserName());
        assertEquals("pw", new String(found.getPassword()));
        assertTrue(authenticator.asked.isEmpty());
        assertEquals("env", credentials.preemptive(HTTP).getUserName());
        assertEquals("auth", credentials.find(Route.httpProxy("proxy.test", 3129), ORIGIN, "Basic", "corp").getUserName(),
                "another proxy: the authenticator's");
        assertNull(credentials.preemptive(Route.httpProxy("proxy.test", 3129)), "the authenticator is never asked before a challenge");
    }

    @Test
    void theCacheKeepsWhatWorkedPerRouteUntilForgotten() {
        ProxyCredentials credentials = new ProxyCredentials(null, null);
        assertNull(credentials.cached(HTTP));
        assertNull(credentials.preemptive(HTTP));
        PasswordAuthentication worked = creds("u", "p");
        credentials.remember(HTTP, worked);
        assertSame(worked, credentials.cached(HTTP));
        assertSame(worked, credentials.preemptive(HTTP));
        assertNull(credentials.cached(SOCKS), "routes apart");
        assertNull(credentials.cached(Route.httpProxy("proxy.test", 3129)));
        credentials.forget(HTTP);
        assertNull(credentials.cached(HTTP));
    }

    @Test
    void basicHeaderIsBase64OfUtf8UserColonPassword() {
        assertEquals("Basic " + Base64.getEncoder().encodeToString("zoë:pä:ss".getBytes(StandardCharsets.UTF_8)),
                ProxyCredentials.basicHeader(creds("zoë", "pä:ss")));
        assertEquals("Basic Og==", ProxyCredentials.basicHeader(creds("", "")));
        PasswordAuthentication kept = creds("u", "secret");
        ProxyCredentials.basicHeader(kept);
        assertEquals("secret", new String(kept.getPassword()), "the caller's password is left as it was");
    }

    @Test
    void sameComparesUserAndPassword() {
        assertTrue(ProxyCredentials.same(creds("u", "p"), creds("u", "p")));
        assertFalse(ProxyCredentials.same(creds("u", "p"), creds("u", "q")));
        assertFalse(ProxyCredentials.same(creds("u", "p"), creds("v", "p")));
        assertFalse(ProxyCredentials.same(creds("u", "p"), null));
        assertTrue(ProxyCredentials.same(null, null));
    }
}
