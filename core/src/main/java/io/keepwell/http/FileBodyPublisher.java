package io.keepwell.http;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A body read from a file, whose length is taken when the publisher is made. Replayable (the file
 * is read again). Transports may send the file directly ({@link #path()}), without copying it
 * through user space.
 */
public final class FileBodyPublisher implements HttpRequest.BodyPublisher {

    private static final int CHUNK = 64 * 1024;

    private final Path path;
    private final long length;

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
    }

    public Path path() {
        return path;
    }

    @Override
    public long contentLength() {
        return length;
    }

    @Override
    public boolean isReplayable() {
        return true;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        FileChannel file;
        try {
            file = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            subscriber.onSubscribe(ChunkedSubscription.EMPTY);
            subscriber.onError(e);
            return;
        }
        subscriber.onSubscribe(new ChunkedSubscription(subscriber, () -> {
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
            int n = file.read(chunk);
            if (n < 0) {
                return null;
            }
            chunk.flip();
            return chunk;
        }, file::close));
    }
}
