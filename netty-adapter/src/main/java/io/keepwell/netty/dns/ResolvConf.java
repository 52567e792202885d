package io.keepwell.netty.dns;

import io.netty.util.NetUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a {@code resolv.conf} file says, read as glibc reads it: up to three {@code nameserver}
 * lines, {@code options ndots: timeout: attempts: rotate} (amended by {@code RES_OPTIONS}), and the
 * search list of the last {@code search} or {@code domain} line. Netty reads the options and search
 * list only of {@code /etc/resolv.conf} and only through package-private methods, hence this parser.
 * A name server may carry a port as Netty and macOS write it, {@code 127.0.0.1.5353}.
 *
 * @param nameServers   the servers, in the file's order; empty if the file names none or is missing
 * @param ndots         names with at least this many dots are first tried as they are
 * @param timeoutSeconds how long one query waits for its answer
 * @param attempts      how many times each server is asked before the lookup fails
 * @param rotate        whether lookups start at a different server in turn
 * @param searchDomains the domains appended to a name with fewer than {@code ndots} dots
 */
record ResolvConf(List<InetSocketAddress> nameServers, int ndots, int timeoutSeconds, int attempts, boolean rotate,
                  List<String> searchDomains) {

    /** glibc's defaults and limits (resolv.h: RES_TIMEOUT, RES_DFLRETRY, RES_MAXNDOTS, RES_MAXRETRANS, RES_MAXRETRY, MAXNS). */
    static final int DEFAULT_NDOTS = 1;
    static final int DEFAULT_TIMEOUT_SECONDS = 5;
    static final int DEFAULT_ATTEMPTS = 2;
    private static final int MAX_NDOTS = 15;
    private static final int MAX_TIMEOUT_SECONDS = 30;
    private static final int MAX_ATTEMPTS = 5;
    private static final int MAX_NAME_SERVERS = 3;
    private static final int DNS_PORT = 53;
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    ResolvConf {
        nameServers = List.copyOf(nameServers);
        searchDomains = List.copyOf(searchDomains);
    }

    /** Explicit servers with glibc's default options and no search list. */
    static ResolvConf of(List<InetSocketAddress> nameServers) {
        return new ResolvConf(nameServers, DEFAULT_NDOTS, DEFAULT_TIMEOUT_SECONDS, DEFAULT_ATTEMPTS, false, List.of());
    }

    /** Reads {@code file} with the process's {@code RES_OPTIONS}; a missing file names no server. */
    static ResolvConf read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            lines = List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return parse(lines, System.getenv("RES_OPTIONS"));
    }

    /** Parses a file's {@code lines}; {@code resOptions} (may be null) amends its options as glibc's RES_OPTIONS does. */
    static ResolvConf parse(List<String> lines, String resOptions) {
        Options options = new Options();
        List<InetSocketAddress> servers = new ArrayList<>();
        List<String> search = List.of();
        for (String raw : lines) {
            String[] words = words(raw);
            if (words.length < 2) {
                continue;
            }
            switch (words[0]) {
                case "nameserver" -> {
                    InetSocketAddress server = nameServer(words[1]);
                    if (server != null && servers.size() < MAX_NAME_SERVERS) {
                        servers.add(server);
                    }
                }
                case "search" -> search = List.of(words).subList(1, words.length);
                case "domain" -> search = List.of(words[1]);
                case "options" -> options.apply(List.of(words).subList(1, words.length));
                default -> { } // sortlist and the rest do not concern this resolver
            }
        }
        if (resOptions != null) {
            options.apply(List.of(words(resOptions)));
        }
        return new ResolvConf(servers, options.ndots, options.timeout, options.attempts, options.rotate, search);
    }

    /** The line's words up to a comment. */
    private static String[] words(String line) {
        int comment = firstOf(line, '#', ';');
        String content = (comment < 0 ? line : line.substring(0, comment)).strip();
        return content.isEmpty() ? new String[0] : WHITESPACE.split(content);
    }

    private static int firstOf(String line, char a, char b) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }

    /** An address literal, or one with Netty's {@code .port} suffix; null for anything else (glibc skips it too). */
    private static InetSocketAddress nameServer(String value) {
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(value);
        if (address != null) {
            return new InetSocketAddress(address, DNS_PORT);
        }
        int dot = value.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        address = NetUtil.createInetAddressFromIpAddressString(value.substring(0, dot));
        Integer port = number(value.substring(dot + 1));
        return address == null || port == null || port < 1 || port > 65535 ? null : new InetSocketAddress(address, port);
    }

    private static Integer number(String digits) {
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Integer.parseInt(digits);
    }

    /** The options as they accumulate; a malformed value leaves the option as it was, as in glibc. */
    private static final class Options {
        int ndots = DEFAULT_NDOTS;
        int timeout = DEFAULT_TIMEOUT_SECONDS;
        int attempts = DEFAULT_ATTEMPTS;
        boolean rotate;

        void apply(List<String> words) {
            for (String word : words) {
                if (word.equals("rotate")) {
                    rotate = true;
                } else if (word.startsWith("ndots:")) {
                    ndots = bounded(word, ndots, 0, MAX_NDOTS);
                } else if (word.startsWith("timeout:")) {
                    timeout = bounded(word, timeout, 1, MAX_TIMEOUT_SECONDS);
                } else if (word.startsWith("attempts:")) {
                    attempts = bounded(word, attempts, 1, MAX_ATTEMPTS);
                }
            }
        }

        private static int bounded(String word, int current, int min, int max) {
            Integer value = number(word.substring(word.indexOf(':') + 1));
            return value == null ? current : Math.max(min, Math.min(max, value));
        }
    }
}
