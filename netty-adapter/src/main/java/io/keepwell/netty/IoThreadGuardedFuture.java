package io.keepwell.netty;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The futures the client returns, and every stage derived from them: waiting on one from an I/O
 * thread of the client fails at once, because the thread it waits on would be the one that has to
 * complete it (with one I/O thread the client would hang for good). Non-blocking reads
 * ({@code getNow}, {@code isDone}) and callbacks are untouched.
 */
final class IoThreadGuardedFuture<T> extends CompletableFuture<T> {

    private final BooleanSupplier onIoThread;
    private final Executor defaultExecutor; // null: CompletableFuture's own (the common pool)

    IoThreadGuardedFuture(BooleanSupplier onIoThread, Executor defaultExecutor) {
        this.onIoThread = onIoThread;
        this.defaultExecutor = defaultExecutor;
    }

    /** The client's executor, if it has one, runs the {@code ...Async} stages given no executor, as in the JDK client. */
    @Override
    public Executor defaultExecutor() {
        return defaultExecutor != null ? defaultExecutor : super.defaultExecutor();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuseOnIoThread("get()");
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        refuseOnIoThread("get(timeout)");
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        refuseOnIoThread("join()");
        return super.join();
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new IoThreadGuardedFuture<>(onIoThread, defaultExecutor);
    }

    private void refuseOnIoThread(String call) {
        if (onIoThread.getAsBoolean()) {
            throw new IllegalStateException(call + " on an I/O thread of this Keepwell client would block the thread that must"
                    + " complete the future (a deadlock with one I/O thread); compose with thenCompose/thenApply, or use the"
                    + " ...Async stages with your own executor");
        }
    }
}
