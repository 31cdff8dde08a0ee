package io.github.chatserver.server.storage;

import io.github.chatserver.server.storage.retry.RetryBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Counts the Redis operations that have been issued and not yet completed, so that a stopping
 * server can let them finish (a presence release, an offline message) before it disconnects; and
 * tells whoever listens when one succeeded.
 */
public final class InFlight {
    private int pending;
    private volatile Runnable onSuccess = () -> { };

    /** Runs after every operation that succeeded: proof that Redis answers (see {@link RetryBuffer#redisAnswered()}). */
    void onSuccess(Runnable listener) {
        this.onSuccess = listener;
    }

    public synchronized <T> CompletionStage<T> track(CompletionStage<T> operation) {
        pending++;
        operation.whenComplete((result, failure) -> {
            done();
            if (failure == null) {
                onSuccess.run();
            }
        });
        return operation;
    }

    private synchronized void done() {
        pending--;
        notifyAll();
    }

    /** Waits until nothing is pending or the timeout passed; true if nothing is pending. */
    public synchronized boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (pending > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
