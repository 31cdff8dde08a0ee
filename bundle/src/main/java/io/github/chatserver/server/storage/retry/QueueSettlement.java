package io.github.chatserver.server.storage.retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Which offline queues have writes still on their way to Redis, and who waits for them: a delivery
 * from a queue waits until the queue is settled, so that it neither overtakes older messages still
 * on their way nor serves again a message whose removal is still to be written. Waiters are woken
 * after the lock is released.
 */
final class QueueSettlement {
    /** Queue key -> writes admitted and not yet done, with the future a delivery waits on. Guarded by this. */
    private final Map<String, Pending> pendingByQueue = new HashMap<>();

    /** Counts a write as pending for its queues until {@link #finish}. */
    synchronized void admit(Collection<String> queues) {
        for (String q : queues) {
            pendingByQueue.computeIfAbsent(q, k -> new Pending()).count++;
        }
    }

    /** A write is done with (written or given up); wakes the waiters of the queues that became settled. */
    void finish(Collection<String> queues) {
        List<CompletableFuture<Void>> settled = new ArrayList<>();
        synchronized (this) {
            for (String q : queues) {
                Pending p = pendingByQueue.get(q);
                if (p != null && --p.count == 0) {
                    pendingByQueue.remove(q);
                    settled.add(p.settled);
                }
            }
        }
        settled.forEach(f -> f.complete(null));
    }

    /**
     * Completes with {@code true} once nothing is pending for {@code queueKey} (at once if nothing
     * is), or with {@code false} after {@code max}, measured on {@code timer} (unbounded without one).
     */
    CompletionStage<Boolean> settled(String queueKey, Duration max, ScheduledExecutorService timer) {
        CompletableFuture<Void> pending;
        synchronized (this) {
            Pending p = pendingByQueue.get(queueKey);
            if (p == null) {
                return CompletableFuture.completedFuture(true);
            }
            pending = p.settled;
        }
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        pending.whenComplete((ignored, failure) -> result.complete(true));
        if (timer != null) {
            try {
                timer.schedule(() -> result.complete(false), max.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                result.complete(false);
            }
        }
        return result;
    }

    /** The server stopped: nothing is pending any more, every waiter is woken. */
    void releaseAll() {
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        synchronized (this) {
            pendingByQueue.values().forEach(p -> waiters.add(p.settled));
            pendingByQueue.clear();
        }
        waiters.forEach(f -> f.complete(null));
    }

    private static final class Pending {
        int count;
        final CompletableFuture<Void> settled = new CompletableFuture<>();
    }
}
