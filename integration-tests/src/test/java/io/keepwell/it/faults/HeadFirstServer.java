package io.keepwell.it.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server on blocking sockets that acts on a request as soon as its head has arrived,
 * so it can fail an upload at any point: the request's path names what it does.
 * <ul>
 *   <li>{@code /reset-after-head}: a reset before any body byte is read;</li>
 *   <li>{@code /reset-mid-body}: reads 64 KiB of the body, then a reset;</li>
 *   <li>{@code /stop-reading}: never reads the body and never answers (full socket buffers),
 *       until a request for {@code /ok} arrives or the server closes; then it closes the connection;</li>
 *   <li>{@code /never-answer}: reads the whole body, then never answers, until the client closes;</li>
 *   <li>{@code /trickle-headers}: sends a status line, then one header line a second, forever;</li>
 *   <li>{@code /drain}: reads the whole body (length-delimited or chunked), then answers 200;</li>
 *   <li>{@code /big}: answers 200 with a 1 MiB body;</li>
 *   <li>{@code /big-reset}, {@code /big-truncated}, {@code /big-chunked-reset}: announce 1 MiB
 *       (by length, or chunked), send 64 KiB of it, then reset or close;</li>
 *   <li>anything else: answers 200 with the body {@code ok}.</li>
 * </ul>
 * Its count of connections is its own, a witness that shares no code with the client.
 */
final class HeadFirstServer implements AutoCloseable {

    static final int BIG = 1 << 20;

    private final ServerSocket serverSocket;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> requestsByPath = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger okHeads = new AtomicInteger(); // heads of /ok requests read, on every connection

    HeadFirstServer() throws IOException {
        serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        Thread acceptor = new Thread(this::acceptLoop, "scripted-server-headfirst-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    java.net.URI uri(String path) {
        return java.net.URI.create("http://127.0.0.1:" + serverSocket.getLocalPort() + path);
    }

    int acceptedConnections() {
        return accepted.get();
    }

    int openConnections() {
        open.removeIf(Socket::isClosed);
        return open.size();
    }

    /** Requests whose head arrived for {@code path}. */
    int requests(String path) {
        AtomicInteger n = requestsByPath.get(path);
        return n == null ? 0 : n.get();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                accepted.incrementAndGet();
                open.add(socket);
                Thread t = new Thread(() -> serve(socket), "scripted-server-headfirst-" + accepted.get());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = readLine(in);
                if (requestLine == null) {
                    return;
                }
                String path = requestLine.split(" ")[1];
                long length = -1;
                boolean chunked = false;
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(lower.substring(15).trim());
                    } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                        chunked = true;
                    }
                }
                requestsByPath.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                int okSeen = path.equals("/ok") ? okHeads.incrementAndGet() : okHeads.get();
                switch (path) {
                    case "/reset-after-head" -> {
                        reset(socket);
                        return;
                    }
                    case "/reset-mid-body" -> {
                        in.readNBytes(64 * 1024);
                        reset(socket);
                        return;
                    }
                    case "/stop-reading" -> {
                        // It cannot see the client's close without reading, so it waits for the test's
                        // recovery request, which comes after the client gave up on this one.
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                        while (okHeads.get() == okSeen && System.nanoTime() < deadline) {
                            if (closing.await(10, TimeUnit.MILLISECONDS)) {
                                break;
                            }
                        }
                        return;
                    }
                    case "/never-answer" -> {
                        if (drain(in, length, chunked)) {
                            in.readAllBytes(); // until the client closes
                        }
                        return;
                    }
                    case "/trickle-headers" -> {
                        out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
                        for (int i = 0; closing.getCount() > 0; i++) {
                            out.write(("X-Trickle-" + i + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush(); // fails once the client has closed
                            closing.await(1, TimeUnit.SECONDS);
                        }
                        return;
                    }
                    case "/drain" -> {
                        if (!drain(in, length, chunked)) {
                            return;
                        }
                        respond(out, "ok".getBytes(StandardCharsets.US_ASCII));
                    }
                    case "/big" -> respond(out, new byte[BIG]);
                    case "/big-reset", "/big-truncated", "/big-chunked-reset" -> {
                        boolean chunkedResponse = path.equals("/big-chunked-reset");
                        out.write(("HTTP/1.1 200 OK\r\n" + (chunkedResponse ? "Transfer-Encoding: chunked\r\n\r\n"
                                + Integer.toHexString(BIG) + "\r\n" : "Content-Length: " + BIG + "\r\n\r\n"))
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(new byte[64 * 1024]);
                        out.flush();
                        if (path.equals("/big-truncated")) {
                            socket.shutdownOutput();
                            in.readAllBytes(); // until the client closes
                        } else {
                            reset(socket);
                        }
                        return;
                    }
                    default -> respond(out, "ok".getBytes(StandardCharsets.US_ASCII));
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the client went away, or the request was cut: the connection ends
        } finally {
            open.remove(socket);
        }
    }

    /** Reads the body to its end; false if the connection ended first. */
    private static boolean drain(InputStream in, long length, boolean chunked) throws IOException {
        if (chunked) {
            while (true) {
                String size = readLine(in);
                if (size == null) {
                    return false;
                }
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    for (String trailer = readLine(in); ; trailer = readLine(in)) {
                        if (trailer == null) {
                            return false;
                        }
                        if (trailer.isEmpty()) {
                            return true;
                        }
                    }
                }
                if (skip(in, n) < n || readLine(in) == null) {
                    return false;
                }
            }
        }
        return length <= 0 || skip(in, length) == length;
    }

    private static long skip(InputStream in, long n) throws IOException {
        byte[] scratch = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    private static void respond(OutputStream out, byte[] body) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        serverSocket.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
