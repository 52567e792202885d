package io.keepwell.netty;

import io.keepwell.keepalive.ReplayableBodies;

import java.net.Authenticator;
import java.net.MalformedURLException;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern BASIC = Pattern.compile("(?i)(?:^|,)\\s*basic(?:\\s+(?:.*?\\brealm=\"([^\"]*)\")?|\\s*$|\\s*,)");

    private final Authenticator authenticator;

    BasicAuthentication(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** Whether the response is a Basic challenge from the server. */
    boolean isChallenge(HttpResponse.ResponseInfo info) {
        return info.statusCode() == 401 && realm(info) != null;
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
                    uri.getScheme(), realm(info), "Basic", uri.toURL(), Authenticator.RequestorType.SERVER);
        } catch (MalformedURLException e) {
            return null;
        }
        if (credentials == null) {
            return null;
        }
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("authorization"))
                .header("Authorization", "Basic " + token(credentials))
                .build();
    }

    /** The realm of the first Basic challenge ("" when it names none), or {@code null} when there is none. */
    private static String realm(HttpResponse.ResponseInfo info) {
        for (String challenge : info.headers().allValues("www-authenticate")) {
            Matcher m = BASIC.matcher(challenge);
            if (m.find()) {
                return m.group(1) == null ? "" : m.group(1);
            }
        }
        return null;
    }

    private static String token(PasswordAuthentication credentials) {
        CharBuffer pair = CharBuffer.allocate(credentials.getUserName().length() + 1 + credentials.getPassword().length);
        pair.put(credentials.getUserName()).put(':').put(credentials.getPassword()).flip();
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(pair);
        byte[] bytes = new byte[utf8.remaining()];
        utf8.get(bytes);
        try {
            return Base64.getEncoder().encodeToString(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            Arrays.fill(pair.array(), '\0');
        }
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : uri.getScheme().toLowerCase(Locale.ROOT).equals("https") ? 443 : 80;
    }
}
