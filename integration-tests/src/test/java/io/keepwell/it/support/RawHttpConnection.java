package io.keepwell.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection over a plain socket, for checking what a server does on the wire
 * (when it closes, how it frames a body) without a client library's pooling in the way.
 *
 * <p>Requests may be pipelined: each {@link #readResponse()} reads the response to the oldest
 * request not yet answered. Not thread-safe.
 */
public final class RawHttpConnection implements Closeable {

    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket; // null over a Unix socket, which has no read timeout
    private final Closeable connection;
    private final InputStream in;
    private final OutputStream out;
    private final String hostHeader;
    private final Queue<String> unansweredMethods = new ArrayDeque<>();

    private RawHttpConnection(Socket socket, InetSocketAddress address) throws IOException {
        this(socket, socket, socket.getInputStream(), socket.getOutputStream(), address.getHostString() + ":" + address.getPort());
    }

    private RawHttpConnection(Socket socket, Closeable connection, InputStream in, OutputStream out, String hostHeader) {
        this.socket = socket;
        this.connection = connection;
        this.in = new BufferedInputStream(in);
        this.out = out;
        this.hostHeader = hostHeader;
    }

    /**
     * Connects to the Unix domain socket {@code socketFile}; requests carry {@code Host: host}.
     * Reads wait without a timeout ({@link #readTimeout} and {@link #awaitServerClose} are TCP only).
     */
    public static RawHttpConnection openUnix(java.nio.file.Path socketFile, String host) throws IOException {
        java.nio.channels.SocketChannel channel =
                java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socketFile));
        return new RawHttpConnection(null, channel, java.nio.channels.Channels.newInputStream(channel),
                java.nio.channels.Channels.newOutputStream(channel), host);
    }

    /** Connects to {@code address} with a read timeout of 10 s. */
    public static RawHttpConnection open(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            return new RawHttpConnection(socket, address);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Speaks HTTP over {@code socket}, already connected (through a SOCKS server, say), with a read
     * timeout of 10 s; the {@code Host} header names {@code origin}.
     */
    public static RawHttpConnection over(Socket socket, InetSocketAddress origin) throws IOException {
        socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
        return new RawHttpConnection(socket, origin);
    }

    /** Connects to a started server container. */
    public static RawHttpConnection open(LoopbackServerContainer<?> server) throws IOException {
        return open(server.address());
    }

    /** How long a read waits for the server before throwing {@link SocketTimeoutException}. */
    public void readTimeout(Duration timeout) throws SocketException {
        tcpSocket().setSoTimeout(Math.toIntExact(timeout.toMillis()));
    }

    /**
     * Sends a request with a {@code Host} header, the extra header lines given (such as
     * {@code "Connection: close"}) and, when {@code body} is not null, a {@code Content-Length}.
     */
    public void send(String method, String target, byte[] body, String... headerLines) throws IOException {
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        unansweredMethods.add(method);
    }

    /** Sends a request and reads its response. */
    public RawResponse exchange(String method, String target, byte[] body, String... headerLines) throws IOException {
        send(method, target, body, headerLines);
        return readResponse();
    }

    /** Sends a GET and reads its response. */
    public RawResponse get(String target, String... headerLines) throws IOException {
        return exchange("GET", target, null, headerLines);
    }

    /**
     * Reads the response to the oldest unanswered request, skipping interim (1xx) responses.
     *
     * @throws EOFException if the server closes before a complete response
     * @throws SocketTimeoutException if the read timeout passes first; nothing of the response
     *     has been consumed if it had not started, so the call can be repeated
     */
    public RawResponse readResponse() throws IOException {
        String method = unansweredMethods.peek();
        if (method == null) {
            throw new IllegalStateException("no request is waiting for a response");
        }
        RawResponse response;
        do {
            response = readOneResponse(method);
        } while (response.status() >= 100 && response.status() < 200);
        unansweredMethods.remove();
        return response;
    }

    /**
     * Waits up to {@code timeout} for the server to close the connection.
     *
     * @return true if it closed (end of stream or reset), false if it was still open at the deadline
     * @throws IllegalStateException if the server sends data instead
     */
    public boolean awaitServerClose(Duration timeout) throws IOException {
        int previous = tcpSocket().getSoTimeout();
        readTimeout(timeout);
        try {
            int b = in.read();
            if (b >= 0) {
                throw new IllegalStateException("expected the server to close, but it sent data: " + (char) b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) { // connection reset
            return true;
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }

    private Socket tcpSocket() {
        if (socket == null) {
            throw new UnsupportedOperationException("a Unix socket connection has no read timeout");
        }
        return socket;
    }

    private RawResponse readOneResponse(String method) throws IOException {
        String statusLine = readLine();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("not a header line: " + line);
            }
            headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        headers.replaceAll((name, values) -> Collections.unmodifiableList(values));
        List<Integer> chunkSizes = new ArrayList<>();
        RawResponse.Framing framing;
        byte[] body;
        String transferEncoding = first(headers, "Transfer-Encoding");
        String contentLength = first(headers, "Content-Length");
        // A 2xx to CONNECT has no body: the bytes after its head are the tunnel's (RFC 9110 9.3.6).
        boolean tunnel = method.equals("CONNECT") && status / 100 == 2;
        if (method.equals("HEAD") || tunnel || status < 200 || status == 204 || status == 304) {
            framing = RawResponse.Framing.NONE;
            body = new byte[0];
        } else if (transferEncoding != null && transferEncoding.toLowerCase().endsWith("chunked")) {
            framing = RawResponse.Framing.CHUNKED;
            body = readChunked(chunkSizes);
        } else if (contentLength != null) {
            framing = RawResponse.Framing.CONTENT_LENGTH;
            body = in.readNBytes(Integer.parseInt(contentLength));
            if (body.length != Integer.parseInt(contentLength)) {
                throw new EOFException("body ended after " + body.length + " of " + contentLength + " bytes");
            }
        } else {
            framing = RawResponse.Framing.UNTIL_CLOSE;
            body = in.readAllBytes();
        }
        return new RawResponse(parts[0], status, Collections.unmodifiableMap(headers), body, framing,
                List.copyOf(chunkSizes));
    }

    private byte[] readChunked(List<Integer> chunkSizes) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int extension = sizeLine.indexOf(';');
            int size = Integer.parseInt((extension < 0 ? sizeLine : sizeLine.substring(0, extension)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailer fields are not needed by the tests
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("chunk ended after " + chunk.length + " of " + size + " bytes");
            }
            body.write(chunk);
            chunkSizes.add(size);
            if (!readLine().isEmpty()) {
                throw new IOException("chunk of " + size + " bytes not followed by CRLF");
            }
        }
    }

    /** Reads a line ending in LF and returns it without the line end. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server"
                        + (line.size() == 0 ? "" : " inside line: " + line.toString(StandardCharsets.ISO_8859_1)));
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null ? null : values.get(0);
    }
}
