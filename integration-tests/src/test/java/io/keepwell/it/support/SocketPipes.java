package io.keepwell.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Set;

/** Byte pipes and quiet closes for the tests' small proxies; every socket they touch is tracked in {@code open}. */
public final class SocketPipes {

    private SocketPipes() {
    }

    /** Copies both ways between {@code client} and {@code origin} until either ends, then closes both; returns when this side ends. */
    public static void both(Socket client, Socket origin, Set<Socket> open) {
        Thread back = new Thread(() -> pipe(origin, client, open), "test-proxy-back");
        back.setDaemon(true);
        back.start();
        pipe(client, origin, open);
    }

    private static void pipe(Socket from, Socket to, Set<Socket> open) {
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
            close(from, open);
            close(to, open);
        }
    }

    public static void close(Socket socket, Set<Socket> open) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        open.remove(socket);
    }
}
