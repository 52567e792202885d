package io.keepwell.it.support;

import java.time.Duration;
import java.util.List;

/**
 * One line of {@link NginxContainer}'s access log: one request nginx finished, including those it
 * closed with {@code return 444}.
 *
 * @param connection nginx's serial number of the connection; equal numbers mean the same connection
 * @param connectionRequests the position of this request on its connection, from 1
 * @param method the request method
 * @param uri the request target as sent, with its query
 * @param protocol the request's protocol, for example {@code HTTP/1.1}
 * @param status the status nginx logged (444 for a close without a reply)
 * @param requestLength bytes of the request: line, headers and body
 * @param bytesSent bytes of the response: status line, headers and body
 * @param requestTime from the first request byte read to the last response byte written
 */
public record AccessLogEntry(
        long connection,
        int connectionRequests,
        String method,
        String uri,
        String protocol,
        int status,
        long requestLength,
        long bytesSent,
        Duration requestTime) {

    /** The nginx {@code log_format} that {@link #parse} reads. */
    static final String LOG_FORMAT = "'$connection $connection_requests $request_method \"$request_uri\""
            + " $server_protocol $status $request_length $bytes_sent $request_time'";

    /** The request's path: {@link #uri} without its query. */
    public String path() {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /** Parses one line written with {@link #LOG_FORMAT}. */
    static AccessLogEntry parse(String line) {
        // The URI cannot hold a space (nginx rejects or escapes it), so splitting on spaces is exact.
        String[] f = line.split(" ");
        if (f.length != 9 || f[3].length() < 2) {
            throw new IllegalArgumentException("not a keepwell access log line: " + line);
        }
        return new AccessLogEntry(
                Long.parseLong(f[0]),
                Integer.parseInt(f[1]),
                f[2],
                f[3].substring(1, f[3].length() - 1),
                f[4],
                Integer.parseInt(f[5]),
                Long.parseLong(f[6]),
                Long.parseLong(f[7]),
                Duration.ofMillis(Math.round(Double.parseDouble(f[8]) * 1000)));
    }

    /** Parses every non-empty line. */
    static List<AccessLogEntry> parseAll(String log) {
        return log.lines().filter(l -> !l.isBlank()).map(AccessLogEntry::parse).toList();
    }
}
