package io.keepwell.it.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The client side of a SOCKS5 handshake (RFC 1928, username method RFC 1929) written by hand,
 * for checking a SOCKS server without the client under test: connects to the server and asks it
 * for a TCP connection to an IPv4 destination.
 */
public final class Socks5Handshake {

    private static final int VERSION = 5;
    private static final int NO_AUTH = 0;
    private static final int USERNAME = 2;

    private Socks5Handshake() {}

    /** The server refused a step; {@code code} is its method, auth status or reply code. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        private final int code;

        Refused(String step, int code) {
            super("SOCKS5 server refused at " + step + ": code " + code);
            this.code = code;
        }

        /** The server's code: 0xFF for no acceptable method, 1 for a failed username check, or the reply code. */
        public int code() {
            return code;
        }
    }

    /**
     * A socket to {@code destination} through the SOCKS5 server at {@code server}, offering the
     * username method with {@code user}'s credentials, or only "no authentication" when {@code user}
     * is null.
     */
    public static Socket connect(InetSocketAddress server, InetSocketAddress destination, ProxyUser user)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(server, 2_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int method = user == null ? NO_AUTH : USERNAME;
            out.write(new byte[] {VERSION, 1, (byte) method});
            out.flush();
            expect(in, VERSION, "greeting");
            int chosen = in.readUnsignedByte();
            if (chosen != method) {
                throw new Refused("method selection", chosen);
            }
            if (user != null) {
                authenticate(in, out, user);
            }
            byte[] address = destination.getAddress().getAddress();
            if (address.length != 4) {
                throw new IllegalArgumentException("IPv4 destinations only: " + destination);
            }
            out.write(new byte[] {VERSION, 1, 0, 1});
            out.write(address);
            out.write(new byte[] {(byte) (destination.getPort() >> 8), (byte) destination.getPort()});
            out.flush();
            expect(in, VERSION, "reply");
            int reply = in.readUnsignedByte();
            if (reply != 0) {
                throw new Refused("connect", reply);
            }
            in.readUnsignedByte(); // reserved
            skipBoundAddress(in);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static void authenticate(DataInputStream in, OutputStream out, ProxyUser user) throws IOException {
        byte[] name = user.name().getBytes(StandardCharsets.UTF_8);
        byte[] password = user.password().getBytes(StandardCharsets.UTF_8);
        out.write(new byte[] {1, (byte) name.length});
        out.write(name);
        out.write(password.length);
        out.write(password);
        out.flush();
        expect(in, 1, "username version");
        int status = in.readUnsignedByte();
        if (status != 0) {
            throw new Refused("username authentication", status);
        }
    }

    private static void skipBoundAddress(DataInputStream in) throws IOException {
        int type = in.readUnsignedByte();
        int length = switch (type) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> in.readUnsignedByte();
            default -> throw new IOException("unknown address type " + type);
        };
        in.readFully(new byte[length + 2]);
    }

    private static void expect(InputStream in, int expected, String what) throws IOException {
        int got = in.read();
        if (got != expected) {
            throw new IOException("SOCKS5 " + what + ": expected " + expected + ", got " + got);
        }
    }
}
