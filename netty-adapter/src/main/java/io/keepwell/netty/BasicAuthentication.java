package io.keepwell.netty;

import io.keepwell.keepalive.ReplayableBodies;
import io.keepwell.netty.proxy.ProxyCredentials;

import java.net.Authenticator;
import java.net.MalformedURLException;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;

/**
 * Answers a server's Basic challenge ({@code 401} with {@code WWW-Authenticate: Basic}, RFC 7617)
 * with the credentials the {@link Authenticator} gives, as the JDK client does: the request is
 * sent again with {@code Authorization: Basic ...} (its body only if it can be produced again). The
 * authenticator runs on an I/O thread: it must answer from memory, not prompt or block.
 */
final class BasicAuthentication {

    /**
     * Challenges answered per call before the next one fails it: as the JDK client, whose
     * {@code jdk.httpclient.auth.retrylimit} of 3 counts the answers after the first.
     */
    static final int MAX_ATTEMPTS = 4;

    private final Authenticator authenticator;

    BasicAuthentication(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** Whether the response is a Basic challenge from the server. */
    boolean isChallenge(HttpResponse.ResponseInfo info) {
        return info.statusCode() == 401 && basicRealm(info, "www-authenticate") != null;
    }

    /** The request that answers the challenge, or {@code null} when there is no answer (no credentials, a one-shot body). */
    HttpRequest next(HttpRequest request, HttpResponse.ResponseInfo info) {
        if (request.bodyPublisher().isPresent() && !ReplayableBodies.canSendAgain(request.bodyPublisher().get())) {
            return null;
        }
        URI uri = request.uri();
        PasswordAuthentication credentials;
        try {
            credentials = Authenticator.requestPasswordAuthentication(authenticator, uri.getHost(), null, port(uri),
                    uri.getScheme(), basicRealm(info, "www-authenticate"), "Basic", uri.toURL(), Authenticator.RequestorType.SERVER);
        } catch (MalformedURLException e) {
            return null;
        }
        if (credentials == null) {
            return null;
        }
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("authorization"))
                .header("Authorization", ProxyCredentials.basicHeader(credentials))
                .build();
    }

    /**
     * The realm of the first Basic challenge in the {@code challengeHeader} fields
     * ({@code WWW-Authenticate}, {@code Proxy-Authenticate}): "" when it names none, {@code null}
     * when there is none.
     */
    static String basicRealm(HttpResponse.ResponseInfo info, String challengeHeader) {
        return io.keepwell.netty.proxy.BasicChallenges.realm(info.headers().allValues(challengeHeader));
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : uri.getScheme().toLowerCase(Locale.ROOT).equals("https") ? 443 : 80;
    }
}
