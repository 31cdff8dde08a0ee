package io.github.chatserver.server.storage;

import io.github.chatserver.server.storage.retry.RetryBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Group commit for the offline path's small writes (a store, a removal): an item goes to Redis at
 * once while fewer than {@link #MAX_CALLS_IN_FLIGHT} calls are on their way; otherwise it joins the
 * next call, which leaves when one of those returns and carries everything that arrived meanwhile
 * (at most {@link #MAX_ITEMS_PER_CALL}). At low load nothing waits; under load one script call does
 * the work of hundreds, instead of one Redisson command, write and flush per item (measured: ten
 * senders storing for offline users spent the server's CPU in Redisson's per-command path, Redis
 * itself idled at 0.2 cores).
 *
 * <p>Each item keeps its own future: {@code call} answers a list of items with a list of results in
 * the same order; when a call fails, each of its items fails, and their callers retry them on their
 * own ({@link RetryBuffer}; every item here is idempotent).
 *
 * @param <I> what one item needs (a key and arguments)
 * @param <O> its result
 */
final class RedisPipeline<I, O> {
    /** Calls sent and not yet answered, at most. Two keep the connection busy while one returns. */
    static final int MAX_CALLS_IN_FLIGHT = 2;
    /** Items per call, at most: a script runs alone in Redis, so keep each one short (well under 1 ms). */
    static final int MAX_ITEMS_PER_CALL = 256;

    private final Function<List<I>, CompletionStage<List<O>>> call;
    private final InFlight inFlight;

    // Guarded by this.
    private List<I> nextItems = new ArrayList<>();
    private List<CompletableFuture<O>> nextResults = new ArrayList<>();
    private int callsInFlight;

    RedisPipeline(Function<List<I>, CompletionStage<List<O>>> call, InFlight inFlight) {
        this.call = call;
        this.inFlight = inFlight;
    }

    CompletionStage<O> submit(I item) {
        CompletableFuture<O> result = new CompletableFuture<>();
        Call<I, O> send = null;
        synchronized (this) {
            nextItems.add(item);
            nextResults.add(result);
            if (callsInFlight < MAX_CALLS_IN_FLIGHT) {
                callsInFlight++;
                send = take();
            }
        }
        if (send != null) {
            execute(send);
        }
        return inFlight.track(result);
    }

    /** The waiting items, up to the limit (caller holds the lock). */
    private Call<I, O> take() {
        int n = Math.min(nextItems.size(), MAX_ITEMS_PER_CALL);
        Call<I, O> taken = new Call<>(new ArrayList<>(nextItems.subList(0, n)), new ArrayList<>(nextResults.subList(0, n)));
        nextItems.subList(0, n).clear();
        nextResults.subList(0, n).clear();
        return taken;
    }

    private void execute(Call<I, O> c) {
        CompletionStage<List<O>> answer;
        try {
            answer = call.apply(c.items);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((results, failure) -> {
            Call<I, O> send = null;
            synchronized (this) {
                if (nextItems.isEmpty()) {
                    callsInFlight--;
                } else {
                    send = take(); // what arrived meanwhile, in one call
                }
            }
            for (int i = 0; i < c.results.size(); i++) {
                if (failure != null) {
                    c.results.get(i).completeExceptionally(failure);
                } else {
                    c.results.get(i).complete(results.get(i));
                }
            }
            if (send != null) {
                execute(send);
            }
        });
    }

    private record Call<I, O>(List<I> items, List<CompletableFuture<O>> results) {
    }
}
