package io.keepwell.it.support;

import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * A user name and password that a proxy container accepts (squid's Basic auth, dante's SOCKS5
 * username method), and the client-side pieces that present them.
 *
 * <p>Both servers check the password with {@code crypt(3)}; the containers hash it at start with
 * busybox's {@code mkpasswd} ({@link #appendHashedLineCommand}), so no hash lives in the repository.
 */
public record ProxyUser(String name, String password) {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9]+");

    public ProxyUser {
        if (!SAFE.matcher(name).matches() || !SAFE.matcher(password).matches()) {
            throw new IllegalArgumentException("letters and digits only, they go into shell commands and files: "
                    + name + ":" + password);
        }
    }

    /**
     * A shell command that appends {@code name:HASH} and then {@code suffix} as a line to
     * {@code file}, where HASH is the password's SHA-512 {@code crypt(3)} hash: squid's
     * {@code basic_ncsa_auth} file takes such lines as they are, {@code /etc/shadow} with its
     * remaining fields as the suffix.
     */
    String appendHashedLineCommand(String file, String suffix) {
        // Double quotes so that $(...) expands; name and password are letters and digits only.
        return "printf '%s\\n' \"" + name + ":$(mkpasswd -m sha512 " + password + ")" + suffix + "\" >> " + file;
    }

    /** The {@code Proxy-Authorization} value for Basic authentication. */
    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** An authenticator that gives these credentials to every proxy and records who asked. */
    public RecordingAuthenticator authenticator() {
        return new RecordingAuthenticator(this);
    }

    /** Gives one user's credentials to proxies only, recording each request for them. */
    public static final class RecordingAuthenticator extends Authenticator {

        /** One request for credentials, as the client made it. */
        public record Ask(RequestorType type, String host, int port, String scheme) {}

        private final ProxyUser user;
        private final List<Ask> asks = new CopyOnWriteArrayList<>();

        private RecordingAuthenticator(ProxyUser user) {
            this.user = user;
        }

        /** Every request for credentials so far, oldest first. */
        public List<Ask> asks() {
            return List.copyOf(asks);
        }

        @Override
        protected PasswordAuthentication getPasswordAuthentication() {
            asks.add(new Ask(getRequestorType(), getRequestingHost(), getRequestingPort(), getRequestingScheme()));
            if (getRequestorType() != RequestorType.PROXY) {
                return null;
            }
            return new PasswordAuthentication(user.name(), user.password().toCharArray());
        }
    }
}
