package io.keepwell.it.support;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * A server in a container on the host network, listening on a fresh port of 127.0.0.1.
 *
 * <p>Every start picks a free port, renders the server's config for it and passes the config in
 * the environment (so a retry can replace it). The container's command writes the config to
 * {@value #CONFIG_FILE}, runs {@link #prepareCommand()} and then {@code exec}s the server. The
 * image is never pulled ({@link NeverPullPolicy}) and readiness is a TCP connect to the port
 * ({@link LoopbackPortWaitStrategy}). If another process takes the port between the pick and the
 * bind, the start is retried with a new port.
 *
 * @param <SELF> the concrete type, for Testcontainers' fluent {@code with...} methods
 */
public abstract class LoopbackServerContainer<SELF extends LoopbackServerContainer<SELF>>
        extends GenericContainer<SELF> {

    /** The image built by {@code setup-docker.sh}; {@code TC_IMAGE} in the environment overrides it. */
    public static final String DEFAULT_IMAGE = "local/nginx:test";

    /** Where the container's command writes the rendered config. */
    public static final String CONFIG_FILE = "/tmp/server.conf";

    private static final String CONFIG_ENV = "KEEPWELL_SERVER_CONFIG";
    private static final int START_ATTEMPTS = 3;

    private volatile int port; // 0 until configure() picks it for a start

    protected LoopbackServerContainer() {
        super(DockerImageName.parse(imageName()));
        withImagePullPolicy(new NeverPullPolicy());
        withNetworkMode("host");
        // The wait strategy reports an early exit with the container's output; the default check
        // would fail first with only "Container did not start correctly".
        withStartupCheckStrategy(new NoStartupCheck());
        waitingFor(new LoopbackPortWaitStrategy(() -> port));
    }

    private static String imageName() {
        String fromEnv = System.getenv("TC_IMAGE");
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_IMAGE : fromEnv;
    }

    /**
     * The server's config for this start, with {@code listen 127.0.0.1:port} (or haproxy's
     * {@code bind}). The file gets a final newline, which haproxy insists on.
     */
    protected abstract String renderConfig(int port);

    /** Shell commands run before the server, for example to create files it serves; may be empty. */
    protected String prepareCommand() {
        return "";
    }

    /** The shell command that runs the server in the foreground with {@value #CONFIG_FILE}. */
    protected abstract String serverCommand();

    /** {@code arg} as one word for {@code sh}: single-quoted, with any single quote escaped. */
    protected static String shellQuoted(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** A shell command that writes {@code content} (a final newline added) to {@code path}. */
    protected static String writeFileCommand(String path, String content) {
        return "printf '%s\\n' " + shellQuoted(content) + " > " + shellQuoted(path);
    }

    /**
     * Runs {@code command} with {@code sh -c} in the running container.
     *
     * @throws IOException if it exits non-zero; the message carries its output
     */
    protected String execShell(String command) throws IOException, InterruptedException {
        ExecResult result = execInContainer("sh", "-c", command);
        if (result.getExitCode() != 0) {
            throw new IOException("`" + command + "` exited " + result.getExitCode() + ": " + result.getStderr()
                    + result.getStdout());
        }
        return result.getStdout();
    }

    @Override
    protected void configure() {
        port = FreePorts.pick();
        withEnv(CONFIG_ENV, renderConfig(port));
        String prepare = prepareCommand();
        withCommand("sh", "-c", "printf '%s\\n' \"$" + CONFIG_ENV + "\" > " + CONFIG_FILE
                + (prepare.isEmpty() ? "" : " && " + prepare)
                + " && exec " + serverCommand());
    }

    @Override
    public void start() {
        for (int attempt = 1; ; attempt++) {
            try {
                super.start();
                return;
            } catch (ContainerLaunchException e) {
                if (attempt == START_ATTEMPTS || !lostPortRace(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean lostPortRace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ServerExitedException exited) {
                return exited.lostPortRace();
            }
        }
        return false;
    }

    /** The port the server listens on at 127.0.0.1; changes on every start. */
    public int port() {
        if (port == 0 || getContainerId() == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " is not started");
        }
        return port;
    }

    /** {@code 127.0.0.1:port}. */
    public InetSocketAddress address() {
        return new InetSocketAddress(FreePorts.LOOPBACK, port());
    }

    /**
     * {@code scheme://127.0.0.1:port} followed by {@code pathAndQuery}, which starts with '/'; the
     * scheme is {@code https} for a server that speaks TLS on {@link #port()}, else {@code http}.
     */
    public URI uri(String pathAndQuery) {
        return uri(scheme(), port(), pathAndQuery);
    }

    /** {@code http} unless the server speaks TLS on {@link #port()}. */
    protected String scheme() {
        return "http";
    }

    static URI uri(String scheme, int port, String pathAndQuery) {
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + pathAndQuery);
        }
        return URI.create(scheme + "://127.0.0.1:" + port + pathAndQuery);
    }

    /**
     * Freezes every process of the container ({@code docker pause}): the kernel still accepts
     * connections on the port, but nothing is read or answered until {@link #unpause()}. A paused
     * container can be stopped as it is.
     */
    public void pause() {
        docker().pauseContainerCmd(getContainerId()).exec();
    }

    /** Thaws a container frozen by {@link #pause()}. */
    public void unpause() {
        docker().unpauseContainerCmd(getContainerId()).exec();
    }

    /**
     * Stops the server's container and starts it again ({@code docker restart}, no grace period):
     * every connection dies, and the server comes back on the same port with the same config.
     * Returns once the port accepts connections again.
     */
    public void restartInPlace(java.time.Duration deadline) {
        docker().restartContainerCmd(getContainerId()).withTimeout(0).exec();
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(address(), 200);
                return;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() - end > 0) {
                    throw new IllegalStateException("the server did not come back on " + address() + " within " + deadline);
                }
                Thread.onSpinWait();
            }
        }
    }

    /** Whether the container is frozen, as Docker reports it. */
    public boolean isPaused() {
        return Boolean.TRUE.equals(getCurrentContainerInfo().getState().getPaused());
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    /**
     * Leaves start-up checking to {@link LoopbackPortWaitStrategy}. Overrides the polling loop as well:
     * Testcontainers runs it through a JVM-wide limiter of one Docker call per second, which would
     * make every start after the first wait for its slot.
     */
    private static final class NoStartupCheck extends StartupCheckStrategy {
        @Override
        public boolean waitUntilStartupSuccessful(DockerClient dockerClient, String containerId) {
            return true;
        }

        @Override
        public StartupStatus checkStartupState(DockerClient dockerClient, String containerId) {
            return StartupStatus.SUCCESSFUL;
        }
    }
}
