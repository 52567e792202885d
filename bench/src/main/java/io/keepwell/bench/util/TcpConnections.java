package io.keepwell.bench.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Established TCP connections of this machine to one remote port, from {@code /proc/net/tcp} and
 * {@code tcp6} (Linux only): the local ports, so two samples tell whether the same connections
 * were kept. The server's side (if it runs here) has the port as its local port, so it is not counted.
 */
public final class TcpConnections {

    private static final String ESTABLISHED = "01";

    private TcpConnections() {
    }

    /** Local ports of established connections to {@code remotePort}, or {@code null} where /proc cannot tell. */
    public static Set<Integer> toRemotePort(int remotePort) {
        Set<Integer> ports = new HashSet<>();
        boolean any = false;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException | RuntimeException e) {
                continue;
            }
            any = true;
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 4 || !ESTABLISHED.equals(f[3])) {
                    continue;
                }
                if (port(f[2]) == remotePort) {
                    ports.add(port(f[1]));
                }
            }
        }
        return any ? ports : null;
    }

    private static int port(String addressAndPort) {
        int colon = addressAndPort.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(addressAndPort.substring(colon + 1), 16);
    }
}
