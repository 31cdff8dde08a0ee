package io.github.chatserver.server.storage;

import io.github.chatserver.server.storage.retry.RetryBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Group commit for many small writes (an offline store, a removal, an inbox record): an item goes
 * to Redis at once while fewer than {@code maxCallsInFlight} batches are on their way; otherwise it
 * joins the next batch, which leaves when one of those returns and carries everything that arrived
 * meanwhile (at most {@link #MAX_ITEMS_PER_CALL}). At low load nothing waits; under load one script
 * call does the work of hundreds, instead of one Redisson command, write and flush per item
 * (measured: ten senders storing for offline users spent the server's CPU in Redisson's
 * per-command path, Redis itself idled at 0.2 cores).
 *
 * <p><b>Redis Cluster.</b> A script may only touch keys of one hash slot (else Redis answers
 * CROSSSLOT). A pipeline made {@link #perSlot} splits each batch by the slot of its items' keys:
 * one call per slot, the calls of a batch sent together; the batch returns when all of them have.
 * Elsewhere (one server, Sentinel, replicated) a batch is one call whatever its keys.
 *
 * <p>Each item keeps its own future: {@code call} answers a list of items with a list of results in
 * the same order; when a call fails, each of its items fails (the items of the batch's other slots
 * do not), and their callers retry them on their own ({@link RetryBuffer}; every item here is
 * idempotent).
 *
 * @param <I> what one item needs (a key and arguments)
 * @param <O> its result
 */
public final class RedisPipeline<I, O> {
    /** Batches sent and not yet answered, at most, by default. Two keep the connection busy while one returns. */
    static final int MAX_CALLS_IN_FLIGHT = 2;
    /** Items per batch, at most: a script runs alone in Redis, so keep each one short (well under 1 ms). */
    static final int MAX_ITEMS_PER_CALL = 256;

    private final Function<List<I>, CompletionStage<List<O>>> call;
    /** The slot of an item, or {@code null}: no split. */
    private final ToIntFunction<I> slotOf;
    private final int maxCallsInFlight;
    private final InFlight inFlight;

    // Guarded by this.
    private List<I> nextItems = new ArrayList<>();
    private List<CompletableFuture<O>> nextResults = new ArrayList<>();
    private int callsInFlight;

    /** A pipeline whose items may all go in one call: on one server, or where every item's keys share one slot. */
    RedisPipeline(Function<List<I>, CompletionStage<List<O>>> call, InFlight inFlight) {
        this(call, null, MAX_CALLS_IN_FLIGHT, inFlight);
    }

    private RedisPipeline(Function<List<I>, CompletionStage<List<O>>> call, ToIntFunction<I> slotOf,
                          int maxCallsInFlight, InFlight inFlight) {
        this.call = call;
        this.slotOf = slotOf;
        this.maxCallsInFlight = maxCallsInFlight;
        this.inFlight = inFlight;
    }

    /**
     * A pipeline whose calls each keep to one hash slot on Redis Cluster ({@code cluster} true,
     * see {@link HashSlot#isCluster}): {@code keyOf} gives the key an item's slot is taken from
     * (the item's other keys, if any, must share its hash tag).
     */
    public static <I, O> RedisPipeline<I, O> perSlot(Function<List<I>, CompletionStage<List<O>>> call,
                                                     Function<I, String> keyOf, boolean cluster, InFlight inFlight) {
        ToIntFunction<I> slotOf = cluster ? item -> HashSlot.of(keyOf.apply(item)) : null;
        return new RedisPipeline<>(call, slotOf, MAX_CALLS_IN_FLIGHT, inFlight);
    }

    /** A pipeline whose items may all go in one call: all of one key (or one hash tag), or on a deployment without slots. */
    public static <I, O> RedisPipeline<I, O> oneSlot(Function<List<I>, CompletionStage<List<O>>> call,
                                                     InFlight inFlight) {
        return new RedisPipeline<>(call, inFlight);
    }

    /**
     * A pipeline with at most one call in flight, so calls reach Redis in the order of their
     * items (two calls in flight may travel on two connections and overtake each other). For
     * items of one key, such as the records for one node's inbox stream.
     */
    public static <I, O> RedisPipeline<I, O> inOrder(Function<List<I>, CompletionStage<List<O>>> call,
                                                     InFlight inFlight) {
        return new RedisPipeline<>(call, null, 1, inFlight);
    }

    public CompletionStage<O> submit(I item) {
        CompletableFuture<O> result = new CompletableFuture<>();
        Batch<I, O> send = null;
        synchronized (this) {
            nextItems.add(item);
            nextResults.add(result);
            if (callsInFlight < maxCallsInFlight) {
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
    private Batch<I, O> take() {
        int n = Math.min(nextItems.size(), MAX_ITEMS_PER_CALL);
        Batch<I, O> taken = new Batch<>(new ArrayList<>(nextItems.subList(0, n)), new ArrayList<>(nextResults.subList(0, n)));
        nextItems.subList(0, n).clear();
        nextResults.subList(0, n).clear();
        return taken;
    }

    /** Sends the batch as one call per slot (one call without a split); when all have returned, the next batch leaves. */
    private void execute(Batch<I, O> batch) {
        List<Batch<I, O>> calls = slotOf == null ? List.of(batch) : batch.bySlot(slotOf);
        AtomicInteger pending = new AtomicInteger(calls.size());
        for (Batch<I, O> c : calls) {
            send(c).whenComplete((ignored, failure) -> {
                if (pending.decrementAndGet() == 0) {
                    next();
                }
            });
        }
    }

    /** One call: completes each item's future with its result or the call's failure. */
    private CompletionStage<Void> send(Batch<I, O> c) {
        CompletionStage<List<O>> answer;
        try {
            answer = call.apply(c.items);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((results, failure) -> {
            for (int i = 0; i < c.results.size(); i++) {
                if (failure != null) {
                    c.results.get(i).completeExceptionally(failure);
                } else {
                    c.results.get(i).complete(results.get(i));
                }
            }
            return null;
        });
    }

    /** A batch returned: what arrived meanwhile leaves as the next one. */
    private void next() {
        Batch<I, O> send = null;
        synchronized (this) {
            if (nextItems.isEmpty()) {
                callsInFlight--;
            } else {
                send = take();
            }
        }
        if (send != null) {
            execute(send);
        }
    }

    private record Batch<I, O>(List<I> items, List<CompletableFuture<O>> results) {
        /** The batch's items grouped by slot, each group in the batch's order, groups by first appearance. */
        List<Batch<I, O>> bySlot(ToIntFunction<I> slotOf) {
            Map<Integer, Batch<I, O>> groups = new LinkedHashMap<>();
            for (int i = 0; i < items.size(); i++) {
                Batch<I, O> group = groups.computeIfAbsent(slotOf.applyAsInt(items.get(i)),
                        slot -> new Batch<>(new ArrayList<>(), new ArrayList<>()));
                group.items.add(items.get(i));
                group.results.add(results.get(i));
            }
            return new ArrayList<>(groups.values());
        }
    }
}
