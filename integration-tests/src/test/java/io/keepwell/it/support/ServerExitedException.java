package io.keepwell.it.support;

import org.testcontainers.containers.ContainerLaunchException;

/** A server container exited while it was starting; carries the container's output. */
public final class ServerExitedException extends ContainerLaunchException {

    private static final long serialVersionUID = 1L;

    private final int port;
    private final Long exitCode;
    private final String logs;

    ServerExitedException(int port, Long exitCode, String logs) {
        super("server container exited (exit code " + exitCode + ") before accepting on 127.0.0.1:" + port
                + "; container output:\n" + logs);
        this.port = port;
        this.exitCode = exitCode;
        this.logs = logs;
    }

    /** The loopback port the server was told to listen on. */
    public int port() {
        return port;
    }

    /** The container's exit code, or null if Docker did not report one. */
    public Long exitCode() {
        return exitCode;
    }

    /** Everything the container wrote to stdout and stderr. */
    public String logs() {
        return logs;
    }

    /** True if the server could not bind its port because another process took it first. */
    public boolean lostPortRace() {
        return logs.contains("Address already in use");
    }
}
