package io.keepwell.it.support;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The container engine's own API socket, as {@code DOCKER_HOST=unix:///...} names it (the env
 * file of {@code setup-docker.sh} sets it), falling back to {@code /var/run/docker.sock}.
 */
public final class EngineApiSocket {

    private static final String UNIX_SCHEME = "unix://";
    private static final Path DEFAULT = Path.of("/var/run/docker.sock");

    private EngineApiSocket() {}

    /**
     * The socket file.
     *
     * @throws IllegalStateException if {@code DOCKER_HOST} names no Unix socket, or the file is absent
     */
    public static Path path() {
        String dockerHost = System.getenv("DOCKER_HOST");
        Path socket;
        if (dockerHost == null || dockerHost.isBlank()) {
            socket = DEFAULT;
        } else if (dockerHost.startsWith(UNIX_SCHEME)) {
            socket = Path.of(dockerHost.substring(UNIX_SCHEME.length()));
        } else {
            throw new IllegalStateException("DOCKER_HOST is not a Unix socket: " + dockerHost + "; "
                    + DockerAvailability.SETUP_HINT);
        }
        if (!Files.exists(socket)) {
            throw new IllegalStateException("no engine API socket at " + socket + " (DOCKER_HOST=" + dockerHost + "); "
                    + DockerAvailability.SETUP_HINT);
        }
        return socket;
    }
}
