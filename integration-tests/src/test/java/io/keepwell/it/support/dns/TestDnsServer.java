package io.keepwell.it.support.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A name server on 127.0.0.1 (UDP, a free port, and TCP on the same port) answering from a table the test changes as it
 * runs: each name's A and AAAA records with their TTL, in the order given; a name not in the table
 * is NXDOMAIN; an alias answers with its CNAME and its target's records. It counts the queries it receives per name, and drops, unanswered, every query
 * while {@link #silent(boolean) silent} and the queries for names made {@link #silence(String) silent}.
 */
public final class TestDnsServer implements AutoCloseable {

    /** One address record: the address (its family gives the type) and its TTL in seconds. */
    public record Entry(InetAddress address, long ttlSeconds) {
        public DnsRecordType type() {
            return address.getAddress().length == 4 ? DnsRecordType.A : DnsRecordType.AAAA;
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-dns", true),
            NioIoHandler.newFactory());
    private final Map<String, List<Entry>> records = new ConcurrentHashMap<>();
    private final Map<String, Alias> aliases = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
    private final Set<String> silentNames = ConcurrentHashMap.newKeySet();
    private volatile boolean silent;
    private volatile boolean authoritative;
    private final Set<String> truncatedNames = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> tcpQueries = new ConcurrentHashMap<>();
    private static final int BIND_TRIES = 20;
    private final Channel channel;
    private final Channel tcp;

    private TestDnsServer() throws InterruptedException {
        // TCP on the UDP port, for answers too large for UDP (RFC 7766); where that port is taken for TCP, another pair.
        for (int tries = 1; ; tries++) {
            Channel udp = udp().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            ChannelFuture tcpBound = tcp().bind(udp.localAddress()).await();
            if (tcpBound.isSuccess()) {
                channel = udp;
                tcp = tcpBound.channel();
                return;
            }
            udp.close().sync();
            if (tries == BIND_TRIES) {
                throw new IllegalStateException("no loopback port free for both UDP and TCP", tcpBound.cause());
            }
        }
    }

    private Bootstrap udp() {
        return new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new UdpAnswerer());
                    }
                });
    }

    private ServerBootstrap tcp() {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new TcpDnsQueryDecoder(), new TcpDnsResponseEncoder(), new TcpAnswerer());
                    }
                });
    }

    /** A server on a free loopback port, with an empty table. */
    public static TestDnsServer start() throws InterruptedException {
        return new TestDnsServer();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Replaces {@code name}'s records (empty: the name exists with no address). */
    public TestDnsServer set(String name, Entry... entries) {
        records.put(key(name), List.of(entries));
        return this;
    }

    private record Alias(String target, long ttlSeconds) {
    }

    /** Makes {@code name} a CNAME of {@code target}: answers for it carry the CNAME and the target's records. */
    public TestDnsServer alias(String name, String target, long ttlSeconds) {
        aliases.put(key(name), new Alias(key(target), ttlSeconds));
        return this;
    }

    /** Removes {@code name}: it is NXDOMAIN from now on. */
    public TestDnsServer remove(String name) {
        records.remove(key(name));
        return this;
    }

    /**
     * Whether answers carry the AA flag, as a zone's own server's do; by default they do not, as a
     * recursive server's (the kind resolv.conf names) do not.
     */
    public void authoritative(boolean on) {
        authoritative = on;
    }

    /** Drops every query, unanswered, while {@code on}. */
    public void silent(boolean on) {
        silent = on;
    }

    /** Drops every query for {@code name}, unanswered. */
    public void silence(String name) {
        silentNames.add(key(name));
    }

    /** Answers {@code name} over UDP with the TC flag and no records, so the client asks again over TCP. */
    public void truncate(String name) {
        truncatedNames.add(key(name));
    }

    /** The queries received over TCP for {@code name}. */
    public int tcpQueries(String name) {
        AtomicInteger count = tcpQueries.get(key(name));
        return count == null ? 0 : count.get();
    }

    /** The queries received over UDP for {@code name}, of any type, answered or dropped. */
    public int queries(String name) {
        AtomicInteger count = queries.get(key(name));
        return count == null ? 0 : count.get();
    }

    public static Entry a(String address, long ttlSeconds) {
        return entry(address, ttlSeconds);
    }

    public static Entry aaaa(String address, long ttlSeconds) {
        return entry(address, ttlSeconds);
    }

    private static Entry entry(String literal, long ttlSeconds) {
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(literal); // never a lookup
        if (address == null) {
            throw new IllegalArgumentException("not an address literal: " + literal);
        }
        return new Entry(address, ttlSeconds);
    }

    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** A name as DNS writes it: each label after its length, then a zero. */
    private static byte[] wireName(String name) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.write(bytes, 0, bytes.length);
        }
        out.write(0);
        return out.toByteArray();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        tcp.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class UdpAnswerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            String name = key(question.name());
            queries.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            if (silent || silentNames.contains(name)) {
                return;
            }
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            if (truncatedNames.contains(name)) {
                response.setTruncated(true);
                header(response, query, question);
            } else {
                answer(response, query, question);
            }
            ctx.writeAndFlush(response);
        }
    }

    private final class TcpAnswerer extends SimpleChannelInboundHandler<DnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            tcpQueries.computeIfAbsent(key(question.name()), n -> new AtomicInteger()).incrementAndGet();
            DnsResponse response = new DefaultDnsResponse(query.id());
            answer(response, query, question);
            ctx.writeAndFlush(response);
        }
    }

    private void header(DnsResponse response, DnsQuery query, DnsQuestion question) {
        response.setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true).setAuthoritativeAnswer(authoritative);
        response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
    }

    /** The table's answer to {@code question}: its CNAME if it is an alias, the records of its type, or NXDOMAIN. */
    private void answer(DnsResponse response, DnsQuery query, DnsQuestion question) {
        header(response, query, question);
        String name = key(question.name());
        String owner = question.name();
        Alias alias = aliases.get(name);
        if (alias != null) {
            response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(owner, DnsRecordType.CNAME, alias.ttlSeconds(),
                    Unpooled.wrappedBuffer(wireName(alias.target()))));
            name = alias.target();
            owner = alias.target() + ".";
        }
        List<Entry> entries = records.get(name);
        if (entries == null) {
            response.setCode(DnsResponseCode.NXDOMAIN);
            return;
        }
        for (Entry entry : entries) {
            if (entry.type().equals(question.type())) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(owner, entry.type(),
                        entry.ttlSeconds(), Unpooled.wrappedBuffer(entry.address().getAddress())));
            }
        }
    }
}
