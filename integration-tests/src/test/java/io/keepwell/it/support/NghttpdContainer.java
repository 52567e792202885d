package io.keepwell.it.support;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.images.builder.Transferable;

/**
 * nghttp2's HTTP/2 server {@code nghttpd} on {@code 127.0.0.1:port()} ({@code -a 127.0.0.1}),
 * h2c with prior knowledge by default, or TLS with ALPN {@code h2} only ({@link #withTls}).
 * It serves static files and echoes uploads:
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><td>{@link #HELLO}</td><td>200, body {@link #HELLO_BODY}</td></tr>
 * <tr><td>{@link #LARGE}</td><td>a static file of {@link #withLargeBodySize(int)} bytes (1 MiB by
 *     default); the content is {@link #expectedLargeBody()}</td></tr>
 * <tr><td>any path, {@code POST} or {@code PUT}</td><td>200 with the request body as the response
 *     body ({@code --echo-upload})</td></tr>
 * </table>
 *
 * <p>Its knobs are the HTTP/2 settings it announces: {@link #withMaxConcurrentStreams} ({@code -m},
 * SETTINGS_MAX_CONCURRENT_STREAMS, nghttpd's default 100) and {@link #withWindowBits}
 * ({@code -w}/{@code -W}: the windows nghttpd <em>receives</em> with, so they throttle what the
 * client uploads, not downloads). {@link #withFrameLog()} makes nghttpd print every frame it sends
 * and receives ({@code -v}); read them with {@link #frameLog()}.
 *
 * <p>nghttpd reads no config file: the rendered "config" is the shell command line, run by {@code sh}.
 */
public final class NghttpdContainer extends LoopbackServerContainer<NghttpdContainer> {

    /** 200 with {@link #HELLO_BODY}. */
    public static final String HELLO = "/hello";
    /** The body of {@link #HELLO}. */
    public static final String HELLO_BODY = "hello\n";
    /** The static file of {@link #withLargeBodySize(int)} bytes. */
    public static final String LARGE = "/large";
    /** A path to POST or PUT to for an echo (any path echoes). */
    public static final String ECHO = "/echo";

    private static final String HTDOCS = "/tmp/htdocs";
    private static final Pattern STREAM_OPENED = Pattern.compile("^\\[id=(\\d+)\\] \\[[^]]*\\] recv HEADERS frame ");
    private static final Pattern STREAM_CLOSED = Pattern.compile("^\\[id=(\\d+)\\] \\[[^]]*\\] stream_id=\\d+ closed");
    private static final String CERTIFICATE_FILE = "/tmp/tls/cert.pem";
    private static final String KEY_FILE = "/tmp/tls/key.pem";

    private boolean tls;
    private Integer maxConcurrentStreams; // null: nghttpd's default, 100
    private Integer windowBits;           // null: the protocol's default, 65535
    private Integer connectionWindowBits; // null: the protocol's default, 65535
    private boolean frameLog;
    private final List<String> pushes = new ArrayList<>(); // -p PATH=PUSH_PATH
    private String trailer;                                // --trailer, null: none
    private int largeBodySize = 1 << 20;

    /** TLS on {@link #port()} with {@code certificates}; ALPN offers only {@code h2}. */
    public NghttpdContainer withTls(TestCertificates certificates) {
        this.tls = true;
        try {
            withCopyToContainer(Transferable.of(certificates.certificatePem()), CERTIFICATE_FILE);
            withCopyToContainer(Transferable.of(certificates.privateKeyPem(), 0600), KEY_FILE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot export the test certificate as PEM", e);
        }
        return this;
    }

    /** {@code -m}: SETTINGS_MAX_CONCURRENT_STREAMS. */
    public NghttpdContainer withMaxConcurrentStreams(int streams) {
        if (streams < 1) {
            throw new IllegalArgumentException("max concurrent streams must be at least 1: " + streams);
        }
        this.maxConcurrentStreams = streams;
        return this;
    }

    /**
     * {@code -w}/{@code -W}: nghttpd's receive windows are {@code 2^streamBits - 1} per stream
     * (SETTINGS_INITIAL_WINDOW_SIZE) and {@code 2^connectionBits - 1} per connection.
     */
    public NghttpdContainer withWindowBits(int streamBits, int connectionBits) {
        this.windowBits = requireBits(streamBits);
        this.connectionWindowBits = requireBits(connectionBits);
        return this;
    }

    /**
     * {@code -p}: when {@code path} is requested, nghttpd pushes {@code pushPath} too, if the
     * client's settings allow push.
     */
    public NghttpdContainer withPush(String path, String pushPath) {
        pushes.add(path + "=" + pushPath);
        return this;
    }

    /** {@code --trailer}: every response with a body ends with a trailer field, such as {@code "x-check: done"}. */
    public NghttpdContainer withTrailer(String field) {
        this.trailer = field;
        return this;
    }

    /** {@code -v}: every frame sent and received goes to stdout, for {@link #frameLog()}. */
    public NghttpdContainer withFrameLog() {
        this.frameLog = true;
        return this;
    }

    /** Size in bytes of the file at {@link #LARGE}. */
    public NghttpdContainer withLargeBodySize(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size: " + bytes);
        }
        this.largeBodySize = bytes;
        return this;
    }

    /** The exact body {@link #LARGE} serves. */
    public byte[] expectedLargeBody() {
        return LargeBody.of(largeBodySize);
    }

    /**
     * The frames nghttpd printed so far with {@link #withFrameLog()}, one string per frame: the
     * frame's line with its indented detail lines appended after {@code " ; "}, such as
     * {@code [id=1] [  0.004] recv RST_STREAM frame <length=4, flags=0x00, stream_id=13> ; (error_code=CANCEL(0x08))}.
     * Header fields nghttpd prints on lines of their own are left out. Docker forwards the output
     * asynchronously, so poll for a frame that must appear.
     */
    public List<String> frameLog() {
        if (!frameLog) {
            throw new IllegalStateException("started without withFrameLog()");
        }
        List<String> frames = new ArrayList<>();
        StringBuilder frame = null;
        for (String line : getLogs(OutputType.STDOUT).split("\n")) {
            if (line.contains(" frame <")) {
                if (frame != null) {
                    frames.add(frame.toString());
                }
                frame = new StringBuilder(line.strip());
            } else if (frame != null && line.startsWith(" ")) {
                frame.append(" ; ").append(line.strip());
            } else if (frame != null) {
                frames.add(frame.toString());
                frame = null;
            }
        }
        if (frame != null) {
            frames.add(frame.toString());
        }
        return frames;
    }

    /**
     * The most streams nghttpd had open at once on one connection, per connection (nghttpd's
     * {@code id=N}), from its frame log: a stream opens with the request's HEADERS and ends at
     * nghttpd's {@code stream_id=N closed} line.
     */
    public Map<Integer, Integer> maxOpenStreamsPerConnection() {
        if (!frameLog) {
            throw new IllegalStateException("started without withFrameLog()");
        }
        Map<Integer, Integer> open = new HashMap<>();
        Map<Integer, Integer> max = new TreeMap<>();
        for (String line : getLogs(OutputType.STDOUT).split("\n")) {
            Matcher opened = STREAM_OPENED.matcher(line);
            Matcher closed = STREAM_CLOSED.matcher(line);
            if (opened.find()) {
                int connection = Integer.parseInt(opened.group(1));
                int now = open.merge(connection, 1, Integer::sum);
                max.merge(connection, now, Math::max);
            } else if (closed.find()) {
                open.merge(Integer.parseInt(closed.group(1)), -1, Integer::sum);
            }
        }
        return max;
    }

    @Override
    protected String scheme() {
        return tls ? "https" : "http";
    }

    @Override
    protected String prepareCommand() {
        return "mkdir -p " + HTDOCS + " && printf '" + HELLO_BODY.replace("\n", "\\n") + "' > " + HTDOCS + HELLO
                + " && " + LargeBody.writeCommand(HTDOCS + LARGE, largeBodySize);
    }

    @Override
    protected String serverCommand() {
        return "sh " + CONFIG_FILE;
    }

    @Override
    protected String renderConfig(int port) {
        List<String> args = new ArrayList<>(List.of("nghttpd", "-a", "127.0.0.1", "-d", HTDOCS, "--echo-upload"));
        if (maxConcurrentStreams != null) {
            args.add("-m");
            args.add(String.valueOf(maxConcurrentStreams));
        }
        if (windowBits != null) {
            args.add("-w");
            args.add(String.valueOf(windowBits));
            args.add("-W");
            args.add(String.valueOf(connectionWindowBits));
        }
        for (String push : pushes) {
            args.add("--push=" + push);
        }
        if (trailer != null) {
            args.add("--trailer=" + trailer);
        }
        if (frameLog) {
            args.add("-v");
        }
        if (!tls) {
            args.add("--no-tls");
        }
        args.add(String.valueOf(port));
        if (tls) {
            args.add(KEY_FILE);
            args.add(CERTIFICATE_FILE);
        }
        return "exec " + String.join(" ", args.stream().map(LoopbackServerContainer::shellQuoted).toList());
    }

    private static int requireBits(int bits) {
        if (bits < 0 || bits > 30) {
            throw new IllegalArgumentException("window bits must be in [0, 30]: " + bits);
        }
        return bits;
    }
}
