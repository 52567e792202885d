package io.keepwell.http;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A body read from a file ({@link KeepwellBodyPublishers#ofFile}), whose length is taken when the
 * publisher is made. A transport may send {@link #path()} directly; any other reads it through
 * the JDK's file publisher.
 */
public final class FileBodyPublisher implements HttpRequest.BodyPublisher {

    private final Path path;
    private final long length;
    private final HttpRequest.BodyPublisher reader;

    FileBodyPublisher(Path path) throws FileNotFoundException {
        this.path = Objects.requireNonNull(path, "path");
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new FileNotFoundException(path + " is not a readable file");
        }
        try {
            this.length = Files.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.reader = HttpRequest.BodyPublishers.ofFile(path);
    }

    /**
     * The file to send.
     *
     * @return the path given to {@link KeepwellBodyPublishers#ofFile}; never {@code null}
     */
    public Path path() {
        return path;
    }

    @Override
    public long contentLength() {
        return length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        reader.subscribe(subscriber);
    }
}
