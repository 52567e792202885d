package io.keepwell.it.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A SOCKS5 proxy on loopback (RFC 1928, with RFC 1929 username/password when credentials are
 * set) that only connects to the host names of its table, each mapped to a 127.0.0.1 port. It
 * records each CONNECT in {@link #connects()} as {@code host:port user} ({@code -} without authentication); dante does the same for real in
 * {@code RealServerSocksTest}.
 */
public final class TestSocksProxy extends LoopbackProxyServer {

    private static final int NO_AUTH = 0x00;
    private static final int USER_PASSWORD = 0x02;
    private static final int NONE_ACCEPTABLE = 0xFF;

    private volatile String user;      // null: no authentication
    private volatile String password;

    public TestSocksProxy(Map<String, Integer> targets) throws IOException {
        super(targets, "socks-proxy");
    }

    public TestSocksProxy requireCredentials(String user, String password) {
        this.user = user;
        this.password = password;
        return this;
    }

    @Override
    void serve(Socket client) {
        try {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                throw new IOException("not SOCKS5");
            }
            byte[] methods = in.readNBytes(in.readUnsignedByte());
            int wanted = user == null ? NO_AUTH : USER_PASSWORD;
            boolean offered = false;
            for (byte m : methods) {
                offered |= (m & 0xFF) == wanted;
            }
            out.write(new byte[]{5, (byte) (offered ? wanted : NONE_ACCEPTABLE)});
            out.flush();
            if (!offered) {
                close(client);
                return;
            }
            String who = "-";
            if (wanted == USER_PASSWORD) {
                in.readUnsignedByte(); // subnegotiation version 1
                String u = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
                String p = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
                boolean ok = u.equals(user) && p.equals(password);
                out.write(new byte[]{1, (byte) (ok ? 0 : 1)});
                out.flush();
                if (!ok) {
                    close(client);
                    return;
                }
                who = u;
            }
            in.readUnsignedByte(); // version
            int command = in.readUnsignedByte();
            in.readUnsignedByte(); // reserved
            int type = in.readUnsignedByte();
            String host = switch (type) {
                case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
                case 3 -> new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
                case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
                default -> throw new IOException("address type " + type);
            };
            int port = in.readUnsignedShort();
            logConnect(host + ":" + port + " " + who);
            Integer target = targets.get(host);
            if (command != 1 || target == null) {
                out.write(new byte[]{5, 2, 0, 1, 0, 0, 0, 0, 0, 0}); // connection not allowed by ruleset
                out.flush();
                close(client);
                return;
            }
            Socket origin = new Socket(InetAddress.getLoopbackAddress(), target);
            open.add(origin);
            out.write(new byte[]{5, 0, 0, 1, 127, 0, 0, 1, 0, 0});
            out.flush();
            SocketPipes.both(client, origin, open);
        } catch (IOException e) {
            close(client);
        }
    }
}
