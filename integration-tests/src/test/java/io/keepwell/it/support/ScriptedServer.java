package io.keepwell.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server on plain blocking sockets, one thread per connection, whose every
 * answer is scripted per request: respond with raw bytes, hold, close, or reset. Being built on
 * raw sockets rather than on Netty, its counts of connections are a witness independent of the
 * client under test.
 */
public final class ScriptedServer implements AutoCloseable {

    /** A request as the server read it. */
    public record Request(int connectionId, int indexOnConnection, String method, String target,
                          Map<String, String> headers, List<String> headerLines, byte[] body) {
        /** The last value of {@code name}, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Every value of {@code name}, one per header line, in the order sent. */
        public List<String> headerValues(String name) {
            List<String> values = new ArrayList<>();
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    values.add(line.substring(colon + 1).trim());
                }
            }
            return values;
        }
    }

    /** What the server does with one request. */
    public interface Action {
        /** Runs on the connection's thread; returns false to stop serving the connection (it is then closed). */
        boolean perform(Request request, Socket socket, OutputStream out) throws IOException, InterruptedException;
    }

    /** Chooses the action for each request. */
    @FunctionalInterface
    public interface Script {
        Action actionFor(Request request);
    }

    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Request> log = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile Script script;
    private volatile java.util.function.Predicate<Request> continuePolicy = r -> false; // for Expect: 100-continue
    private volatile boolean closed;

    private final List<String> applicationProtocols = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<String> serverNames = java.util.Collections.synchronizedList(new ArrayList<>());

    private ScriptedServer(Script script) throws IOException {
        this(script, null);
    }

    private ScriptedServer(Script script, javax.net.ssl.SSLContext tls) throws IOException {
        this(script, tls, InetAddress.getLoopbackAddress());
    }

    private ScriptedServer(Script script, javax.net.ssl.SSLContext tls, InetAddress bindAddress) throws IOException {
        this.script = script;
        if (tls == null) {
            this.serverSocket = new ServerSocket();
        } else {
            javax.net.ssl.SSLServerSocket secure = (javax.net.ssl.SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
            javax.net.ssl.SSLParameters parameters = secure.getSSLParameters();
            parameters.setApplicationProtocols(new String[]{"http/1.1"});
            secure.setSSLParameters(parameters);
            this.serverSocket = secure;
        }
        serverSocket.bind(new InetSocketAddress(bindAddress, 0), 512);
        this.acceptor = new Thread(this::acceptLoop, "scripted-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static ScriptedServer start(Script script) throws IOException {
        return new ScriptedServer(script);
    }

    /** A plain http server on {@code address} (a loopback address: {@code ::1} for the IPv6 cases). */
    public static ScriptedServer startOn(InetAddress address, Script script) throws IOException {
        return new ScriptedServer(script, null, address);
    }

    /** An https server presenting the certificate of {@code tls}; it offers ALPN {@code http/1.1}. */
    public static ScriptedServer startTls(javax.net.ssl.SSLContext tls, Script script) throws IOException {
        return new ScriptedServer(script, tls);
    }

    /** ALPN protocols agreed on TLS connections, one per connection ("" when none). */
    public List<String> applicationProtocols() {
        synchronized (applicationProtocols) {
            return List.copyOf(applicationProtocols);
        }
    }

    /** SNI host names the TLS clients sent, one per connection ("" when none). */
    public List<String> serverNames() {
        synchronized (serverNames) {
            return List.copyOf(serverNames);
        }
    }

    /**
     * For requests with {@code Expect: 100-continue}: {@code true} sends {@code 100 Continue} and
     * reads the body; {@code false} runs the script on the head alone, without reading the body.
     * Unset, such requests are read whole, as by a server that ignores the expectation.
     */
    public ScriptedServer onExpectContinue(java.util.function.Predicate<Request> policy) {
        this.continuePolicy = policy;
        this.honourExpect = true;
        return this;
    }

    private volatile boolean honourExpect;
    private volatile java.util.concurrent.CountDownLatch beforeHandshake = new java.util.concurrent.CountDownLatch(0);

    /** TLS connections wait for {@code gate} before their handshake: a connect that stays pending. */
    public ScriptedServer holdHandshakesUntil(java.util.concurrent.CountDownLatch gate) {
        this.beforeHandshake = gate;
        return this;
    }

    public void script(Script script) {
        this.script = script;
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public java.net.URI uri(String path) {
        return java.net.URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Connections the server has not seen closed. */
    public int openConnections() {
        open.removeIf(Socket::isClosed);
        return open.size();
    }

    public int acceptedConnections() {
        return accepted.get();
    }

    public int requestCount() {
        return requests.get();
    }

    /** Every request read, in order of arrival. */
    public List<Request> requests() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = serverSocket.accept();
                int id = accepted.incrementAndGet();
                open.add(socket);
                Thread t = new Thread(() -> serve(socket, id), "scripted-server-conn-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void serve(Socket socket, int connectionId) {
        try (socket) {
            if (socket instanceof javax.net.ssl.SSLSocket secure) {
                beforeHandshake.await(30, java.util.concurrent.TimeUnit.SECONDS);
                secure.startHandshake();
                String protocol = secure.getApplicationProtocol();
                applicationProtocols.add(protocol == null ? "" : protocol);
                String sni = "";
                if (secure.getSession() instanceof javax.net.ssl.ExtendedSSLSession extended) {
                    for (javax.net.ssl.SNIServerName name : extended.getRequestedServerNames()) {
                        if (name instanceof javax.net.ssl.SNIHostName host) {
                            sni = host.getAsciiName();
                        }
                    }
                }
                serverNames.add(sni);
            }
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (int index = 0; ; index++) {
                Request request = readRequest(in, out, connectionId, index);
                if (request == null) {
                    return;
                }
                requests.incrementAndGet();
                log.add(request);
                if (!script.actionFor(request).perform(request, socket, out)) {
                    return;
                }
            }
        } catch (SocketException e) {
            // the client went away or the script reset the connection
        } catch (IOException | InterruptedException e) {
            // the connection ends
        } finally {
            open.remove(socket);
        }
    }

    private Request readRequest(InputStream in, OutputStream out, int connectionId, int index) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3) {
            throw new IOException("bad request line: " + requestLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> headerLines = new ArrayList<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            headerLines.add(line);
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        byte[] body = new byte[0];
        if (honourExpect && "100-continue".equalsIgnoreCase(headers.get("expect"))) {
            Request head = new Request(connectionId, index, parts[0], parts[1], headers, headerLines, body);
            if (!continuePolicy.test(head)) {
                return head; // answered on its head; the body is never read
            }
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        }
        return new Request(connectionId, index, parts[0], parts[1], headers, headerLines, body);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new IOException("eof in chunked body");
            }
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                while (true) {
                    String trailer = readLine(in);
                    if (trailer == null || trailer.isEmpty()) {
                        return out.toByteArray();
                    }
                }
            }
            out.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        serverSocket.close();
        for (Socket s : open) {
            s.close();
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
