package io.keepwell.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on loopback that only tunnels: it reads a {@code CONNECT host:port}, answers as
 * its {@link Mode} says, and on {@code 200} pipes bytes to the port its table maps the host to
 * (always on 127.0.0.1). With credentials set, a {@code CONNECT} without the matching
 * {@code Proxy-Authorization} gets {@code 407}. Squid does the same for real in
 * {@code RealServerProxyTest}; this one runs without Docker and can misbehave on purpose.
 */
public final class TunnelProxy implements AutoCloseable {

    /** How a {@code CONNECT} is answered. */
    public enum Mode { TUNNEL, FORBIDDEN, BAD_GATEWAY, SILENT, CLOSE }

    private final ServerSocket server;
    private final Map<String, Integer> targets;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<String> connects = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Mode mode = Mode.TUNNEL;
    private volatile String expectedAuthorization; // null: no authentication
    private volatile boolean closed;

    /** {@code targets}: the host names a CONNECT may ask for, each with the 127.0.0.1 port it reaches. */
    public TunnelProxy(Map<String, Integer> targets) throws IOException {
        this.targets = Map.copyOf(targets);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        Thread acceptor = new Thread(this::acceptLoop, "tunnel-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port());
    }

    public TunnelProxy mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    /** Requires {@code Proxy-Authorization: Basic base64(user:password)}. */
    public TunnelProxy requireCredentials(String user, String password) {
        this.expectedAuthorization = "Basic " + java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Each CONNECT's request line and its Proxy-Authorization ("-" when none), in order. */
    public List<String> connects() {
        synchronized (connects) {
            return List.copyOf(connects);
        }
    }

    public int acceptedConnections() {
        return accepted.get();
    }

    public int openConnections() {
        return (int) open.stream().filter(s -> !s.isClosed()).count();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "tunnel-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                String head = HttpHeads.read(in);
                if (head == null) {
                    close(client);
                    return;
                }
                String[] lines = head.split("\r\n");
                String authorization = "-";
                for (String line : lines) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("proxy-authorization:")) {
                        authorization = line.substring(line.indexOf(':') + 1).trim();
                    }
                }
                connects.add(lines[0] + " " + authorization);
                String[] parts = lines[0].split(" ");
                if (!parts[0].equals("CONNECT")) {
                    answer(out, "405 Method Not Allowed", "");
                    continue;
                }
                if (expectedAuthorization != null && !expectedAuthorization.equals(authorization)) {
                    answer(out, "407 Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"tunnel\"\r\n");
                    continue; // keep-alive: the client may answer on this connection or on another
                }
                switch (mode) {
                    case FORBIDDEN -> {
                        answer(out, "403 Forbidden", "");
                        continue;
                    }
                    case BAD_GATEWAY -> {
                        answer(out, "502 Bad Gateway", "");
                        continue;
                    }
                    case SILENT -> {
                        while (in.read() != -1) {
                            // never answers; waits for the client to give up and close
                        }
                        close(client);
                        return;
                    }
                    case CLOSE -> {
                        close(client);
                        return;
                    }
                    case TUNNEL -> {
                    }
                }
                String authority = parts[1];
                String host = authority.substring(0, authority.lastIndexOf(':'));
                Integer port = targets.get(host);
                if (port == null) {
                    answer(out, "502 Bad Gateway", "");
                    continue;
                }
                Socket origin = new Socket(InetAddress.getLoopbackAddress(), port);
                open.add(origin);
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread back = new Thread(() -> pipe(origin, client), "tunnel-proxy-back");
                back.setDaemon(true);
                back.start();
                pipe(client, origin);
                return;
            }
        } catch (IOException e) {
            close(client);
        }
    }

    private static void answer(OutputStream out, String status, String headers) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) != -1) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side went away
        } finally {
            close(from);
            close(to);
        }
    }

    private void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        open.remove(socket);
    }


    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            close(s);
        }
    }
}
