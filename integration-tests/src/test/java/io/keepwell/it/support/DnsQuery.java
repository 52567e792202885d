package io.keepwell.it.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One DNS question over UDP to a test name server, written and parsed by hand: a witness
 * independent of the resolver under test (and of the JVM's, which would ask the system's name
 * servers). Only for answers of A and AAAA records without compression surprises beyond pointers.
 */
public final class DnsQuery {

    /** Record type A (IPv4). */
    public static final int A = 1;
    /** Record type AAAA (IPv6). */
    public static final int AAAA = 28;

    /** A reply: its response code (0 NOERROR, 3 NXDOMAIN, 5 REFUSED) and its address records. */
    public record Answer(int responseCode, List<InetAddress> addresses, List<Integer> ttls) {}

    private DnsQuery() {}

    /**
     * Asks {@code server} for the {@code type} records of {@code name}.
     *
     * @throws SocketTimeoutException if no reply comes within {@code timeout}
     */
    public static Answer ask(InetSocketAddress server, String name, int type, Duration timeout) throws IOException {
        if (!server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("tests ask loopback name servers only: " + server);
        }
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        ByteBuffer query = ByteBuffer.allocate(512);
        query.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        writeName(query, name);
        query.putShort((short) type).putShort((short) 1);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0))) {
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            socket.send(new DatagramPacket(query.array(), query.position(), server));
            byte[] buffer = new byte[4096];
            while (true) {
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                socket.receive(reply);
                ByteBuffer in = ByteBuffer.wrap(buffer, 0, reply.getLength());
                if ((in.getShort(0) & 0xffff) == id) {
                    return parse(in);
                }
            }
        }
    }

    private static void writeName(ByteBuffer out, String name) {
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.put((byte) bytes.length).put(bytes);
        }
        out.put((byte) 0);
    }

    private static Answer parse(ByteBuffer in) throws IOException {
        int responseCode = in.get(3) & 0x0f;
        int questions = in.getShort(4) & 0xffff;
        int answers = in.getShort(6) & 0xffff;
        in.position(12);
        for (int i = 0; i < questions; i++) {
            skipName(in);
            in.position(in.position() + 4);
        }
        List<InetAddress> addresses = new ArrayList<>();
        List<Integer> ttls = new ArrayList<>();
        for (int i = 0; i < answers; i++) {
            skipName(in);
            int type = in.getShort() & 0xffff;
            in.getShort(); // class
            int ttl = in.getInt();
            byte[] data = new byte[in.getShort() & 0xffff];
            in.get(data);
            if (type == A || type == AAAA) {
                addresses.add(InetAddress.getByAddress(data));
                ttls.add(ttl);
            }
        }
        return new Answer(responseCode, List.copyOf(addresses), List.copyOf(ttls));
    }

    private static void skipName(ByteBuffer in) throws IOException {
        while (true) {
            int length = in.get() & 0xff;
            if (length == 0) {
                return;
            }
            if ((length & 0xc0) == 0xc0) {
                in.get();
                return;
            }
            if (length > 63) {
                throw new IOException("bad label length " + length);
            }
            in.position(in.position() + length);
        }
    }
}
