package io.keepwell.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP proxy on loopback that only tunnels: it reads a {@code CONNECT host:port}, answers as
 * its {@link Mode} says, and on {@code 200} pipes bytes to the port its table maps the host to
 * (always on 127.0.0.1). With credentials set, a {@code CONNECT} without the matching
 * {@code Proxy-Authorization} gets {@code 407}. Squid does the same for real in
 * {@code RealServerProxyTest}; this one runs without Docker and can misbehave on purpose.
 * {@link #connects()} has each request line with its {@code Proxy-Authorization} ({@code -} when none).
 */
public final class TunnelProxy extends LoopbackProxyServer {

    /** How a {@code CONNECT} is answered. */
    public enum Mode { TUNNEL, FORBIDDEN, BAD_GATEWAY, SILENT, CLOSE }

    private volatile Mode mode = Mode.TUNNEL;
    private volatile String expectedAuthorization; // null: no authentication

    /** {@code targets}: the host names a CONNECT may ask for, each with the 127.0.0.1 port it reaches. */
    public TunnelProxy(Map<String, Integer> targets) throws IOException {
        super(targets, "tunnel-proxy");
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

    @Override
    void serve(Socket client) {
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
                logConnect(lines[0] + " " + authorization);
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
                SocketPipes.both(client, origin, open);
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
}
