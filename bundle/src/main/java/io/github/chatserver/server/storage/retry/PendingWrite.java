package io.github.chatserver.server.storage.retry;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A write admitted to the buffer, with what the buffer keeps about it. It is in one place at a
 * time: its first attempt, the waiting queue, a retry round, or the last flush at stop, so it is
 * in flight at most once.
 */
final class PendingWrite<R> {
    final Write<R> write;
    /** Slots it takes: its weight, at least 1 (a control write takes one of the control pool). */
    final int slots;
    final boolean control;
    /** Whether it holds its slots now. Guarded by the {@link SlotPool}. */
    boolean holds;
    /** Rounds in which Redis refused it while taking other writes. Guarded by {@link RetryRounds}. */
    int strikes;

    PendingWrite(Write<R> write) {
        this.write = write;
        this.control = write.weight() <= 0;
        this.slots = Math.max(1, write.weight());
    }

    Collection<String> queues() {
        return write.queues();
    }

    /**
     * Sends it once. Completes with what to run once the buffer has done its bookkeeping: the
     * write's {@link Write#done} with the result of this attempt (so the result keeps its type);
     * or with the attempt's failure, as it came.
     */
    CompletionStage<Runnable> attempt() {
        CompletableFuture<Runnable> written = new CompletableFuture<>();
        CompletionStage<? extends R> answer;
        try {
            answer = write.attempt();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((result, failure) -> {
            if (failure == null) {
                written.complete(() -> write.done(result));
            } else {
                written.completeExceptionally(failure);
            }
        });
        return written;
    }
}
