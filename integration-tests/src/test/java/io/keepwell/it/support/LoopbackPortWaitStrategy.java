package io.keepwell.it.support;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Waits until a TCP connect to {@code 127.0.0.1:port} succeeds.
 *
 * <p>Testcontainers' own strategies wait on mapped ports, which do not exist with host networking.
 * This one polls the loopback port directly and, between polls, asks Docker whether the container
 * still runs: a server that exits (bad config, port taken) fails the start at once with a
 * {@link ServerExitedException} carrying the container's output, instead of waiting out the deadline.
 */
public final class LoopbackPortWaitStrategy extends AbstractWaitStrategy {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int CONNECT_TIMEOUT_MILLIS = 250;

    private final IntSupplier port;

    /**
     * @param port read once per start, so a container that picks a new port on each attempt is
     *     waited for on the right one
     */
    public LoopbackPortWaitStrategy(IntSupplier port) {
        this.port = port;
        this.startupTimeout = Duration.ofSeconds(15);
    }

    @Override
    protected void waitUntilReady() {
        int p = port.getAsInt();
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        while (true) {
            boolean accepted = canConnect(p);
            // Checked after a successful connect too: in host mode another process may own the port.
            failIfExited(p);
            if (accepted) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new ContainerLaunchException("nothing accepted connections on 127.0.0.1:" + p
                        + " within " + startupTimeout + "; container output:\n" + waitStrategyTarget.getLogs());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private void failIfExited(int p) {
        InspectContainerResponse.ContainerState state = waitStrategyTarget.getCurrentContainerInfo().getState();
        if (!Boolean.TRUE.equals(state.getRunning())) {
            throw new ServerExitedException(p, state.getExitCodeLong(), waitStrategyTarget.getLogs());
        }
    }

    private static boolean canConnect(int p) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(FreePorts.LOOPBACK, p), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
