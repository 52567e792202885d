package io.keepwell.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** Writes the body to a file as it arrives; the body value is the file's path. */
final class FileSubscriber implements HttpResponse.BodySubscriber<Path> {

    private final Path path;
    private final CompletableFuture<Path> result = new CompletableFuture<>();
    private FileChannel file;
    private Flow.Subscription subscription;

    FileSubscriber(Path path) {
        this.path = path;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        try {
            file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            subscription.cancel();
            result.completeExceptionally(e);
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        try {
            for (ByteBuffer item : items) {
                while (item.hasRemaining()) {
                    file.write(item);
                }
            }
        } catch (IOException e) {
            subscription.cancel();
            closeFile();
            result.completeExceptionally(e);
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
        closeFile();
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        try {
            file.close();
            result.complete(path);
        } catch (IOException e) {
            result.completeExceptionally(e);
        }
    }

    private void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public CompletionStage<Path> getBody() {
        return result;
    }
}
