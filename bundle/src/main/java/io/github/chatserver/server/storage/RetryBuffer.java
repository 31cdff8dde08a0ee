package io.github.chatserver.server.storage;

import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to Redis that must not be lost when Redis does not take them: messages for offline
 * recipients, removals of delivered messages, presence releases. A write that fails is kept in
 * memory and tried again, with backoff, on the server's timer, until Redis takes it.
 *
 * <p>The buffer is bounded by {@code capacity} slots, one per message a write stores. A write holds
 * its slots from the moment it is admitted until Redis took it, including while its first attempt
 * is in flight, so an admitted write always has a place to wait in if that attempt fails: nothing
 * admitted is dropped for lack of room. While writes wait, Redis is presumed down: new writes join
 * the end of the queue instead of being sent (no pile-up of doomed requests, and each write is in
 * flight at most once at a time); a write that finds the buffer full then is refused, and the
 * caller must make that visible. Once a retry round succeeds and nothing waits any more, writes go
 * straight to Redis again.
 *
 * <p>Every write must be idempotent: a write whose answer was lost (Redis stopped or timed out
 * after executing it) is sent again. Order between writes does not matter: messages carry the
 * sequence number taken when they were accepted, and queues are sorted by it.
 *
 * <p>Nothing here blocks: attempts are Redisson's async calls, rounds are scheduled on the
 * server's timer, and completions do only bookkeeping under a short lock.
 */
public final class RetryBuffer {
    private static final Logger LOG = LoggerFactory.getLogger(RetryBuffer.class);
    /** Delay before the first retry after a failure; doubled after every failed round. */
    static final long FIRST_BACKOFF_MILLIS = 200;
    /** Longest delay between retry rounds: Redis is back in service at most this long after it returns. */
    static final long MAX_BACKOFF_MILLIS = 2_000;
    /** Most slots tried in one round; writes of a round are sent together (Redisson pipelines them). */
    static final int ROUND_SLOTS = 1_000;
    /** A write that Redis fails this many times in rounds where it took others is given up (logged, counted). */
    static final int MAX_STRIKES = 5;
    private static final long STILL_DOWN_LOG_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** One write; {@link #attempt()} must be idempotent. */
    public interface Write {
        /**
         * How many buffer slots it takes: the messages it stores. 0 for a small control write (a
         * removal, a presence release), which is bounded by a separate pool of {@code capacity}
         * slots, so a full buffer of messages never keeps a session's presence from being released.
         */
        int weight();

        /** The offline queues it writes (keys); a delivery from one of them waits until it is done. */
        Collection<String> queues();

        /** Sends it once. */
        CompletionStage<?> attempt();

        /** Redis took it: {@code result} is what the successful attempt completed with. */
        default void done(Object result) {
        }

        /** It will never be written: refused for good, or the server stopped while Redis still failed. */
        default void abandoned(String why) {
        }
    }

    /** What became of a write handed to {@link #submit} or {@link #enqueue}. */
    public enum Admission {
        /** Sent to Redis; it holds its slots and waits in the buffer if that attempt fails. */
        SENT,
        /** Queued behind earlier writes that wait for Redis. */
        BUFFERED,
        /** The buffer is full (or the server stops): the write was not taken. */
        REFUSED
    }

    /** A control write (weight 0) with no callbacks: a removal, a presence release. */
    public static Write write(Collection<String> queues, Supplier<? extends CompletionStage<?>> attempt) {
        return new Write() {
            @Override
            public int weight() {
                return 0;
            }

            @Override
            public Collection<String> queues() {
                return queues;
            }

            @Override
            public CompletionStage<?> attempt() {
                return attempt.get();
            }
        };
    }

    private final int capacity;
    private final ArrayDeque<Slot> waiting = new ArrayDeque<>();
    /** Queue key -> writes admitted and not yet done, with the future a delivery waits on. */
    private final Map<String, Pending> pendingByQueue = new HashMap<>();
    /** Futures of queues that became settled under the lock, completed right after it is released. */
    private final List<CompletableFuture<Void>> settledNow = new ArrayList<>();
    /** Slots held: waiting writes, writes of the running round, first attempts in flight that hold slots. */
    private int reserved;
    /** The same for control writes, in their own pool. */
    private int reservedControl;
    private int waitingSlots;
    /** True from the first failure until a round leaves nothing waiting: new writes queue up. */
    private volatile boolean degraded;
    /** The next retry round, scheduled (null while a round runs or none is due). */
    private ScheduledFuture<?> nextRound;
    private boolean roundRunning;
    private long degradedSinceNanos;
    private long lastStillDownLogNanos;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private boolean closed;
    private List<Slot> flushedAtClose = List.of();
    private ScheduledExecutorService timers;
    private ServerStats stats = new ServerStats();

    public RetryBuffer(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative");
        }
        this.capacity = capacity;
    }

    /** Hands over the server's timer (retry rounds, bounded waits) and counters. Call before any traffic. */
    public synchronized void start(ScheduledExecutorService serverTimers, ServerStats serverStats) {
        this.timers = serverTimers;
        this.stats = serverStats;
    }

    public int capacity() {
        return capacity;
    }

    /** Message slots held now: messages waiting or being retried, and first attempts in flight. */
    public synchronized int reserved() {
        return reserved;
    }

    /** Control writes (removals, presence releases) held now, in their own pool of {@code capacity}. */
    public synchronized int reservedControl() {
        return reservedControl;
    }

    /** Slots of the writes waiting for the next retry round (not those of a round in flight). */
    public synchronized int waiting() {
        return waitingSlots;
    }

    /** True while writes wait for Redis (new writes queue behind them instead of being sent). */
    public synchronized boolean degraded() {
        return degraded;
    }

    /**
     * A new write: sent at once when nothing waits for Redis, else queued behind what waits. Refused
     * only when it has to wait and its slots are not free. When the buffer has no free slots for a
     * write sent at once (a full buffer never coexists with healthy Redis, but {@code capacity} may be
     * 0), it is sent without slots, and lost if that attempt fails.
     */
    public Admission submit(Write write) {
        Slot slot = new Slot(write);
        synchronized (this) {
            if (closed) {
                return Admission.REFUSED;
            }
            if (degraded) {
                if (!fitsLocked(slot)) {
                    return Admission.REFUSED;
                }
                admitLocked(slot);
                reserveLocked(slot);
                waitLocked(slot);
                return Admission.BUFFERED;
            }
            admitLocked(slot);
            if (fitsLocked(slot)) {
                reserveLocked(slot);
            }
        }
        attempt(slot).whenComplete((result, failure) -> {
            if (failure == null) {
                succeeded(slot, result);
            } else {
                firstAttemptFailed(slot, failure);
            }
        });
        return Admission.SENT;
    }

    /** A write that already failed once elsewhere (a removal, a presence release): queued for retry. */
    public Admission enqueue(Write write) {
        Slot slot = new Slot(write);
        synchronized (this) {
            if (closed || !fitsLocked(slot)) {
                return Admission.REFUSED;
            }
            admitLocked(slot);
            reserveLocked(slot);
            waitLocked(slot);
            if (!degraded) {
                enterDegradedLocked("a write failed");
            }
        }
        return Admission.BUFFERED;
    }

    /**
     * Completes with {@code true} once no write admitted for the offline queue {@code queueKey} is
     * pending (at once if none is), or with {@code false} after {@code max}. A delivery from that
     * queue waits on it, so it neither overtakes older messages still on their way to Redis nor
     * serves again a message whose removal is still to be written.
     */
    public CompletionStage<Boolean> settled(String queueKey, Duration max) {
        CompletableFuture<Void> pending;
        ScheduledExecutorService timer;
        synchronized (this) {
            Pending p = pendingByQueue.get(queueKey);
            if (p == null) {
                return CompletableFuture.completedFuture(true);
            }
            pending = p.settled;
            timer = timers;
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

    private CompletionStage<?> attempt(Slot slot) {
        try {
            return slot.write.attempt();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void succeeded(Slot slot, Object result) {
        synchronized (this) {
            releaseLocked(slot);
            finishLocked(slot);
        }
        completeSettled();
        slot.write.done(result);
    }

    private void firstAttemptFailed(Slot slot, Throwable failure) {
        String lost = null;
        synchronized (this) {
            if (closed) {
                lost = "the server is stopping";
            } else if (!slot.holds && !fitsLocked(slot)) {
                lost = "no room in the retry buffer";
            } else {
                if (!slot.holds) {
                    reserveLocked(slot);
                }
                waitLocked(slot);
                if (!degraded) {
                    enterDegradedLocked(failure.toString());
                }
            }
            if (lost != null) {
                releaseLocked(slot);
                finishLocked(slot);
            }
        }
        if (lost != null) {
            completeSettled();
            abandon(slot, lost, failure);
        }
    }

    private void count(Counter counter, int n) {
        for (int i = 0; i < n; i++) {
            stats.increment(counter);
        }
    }

    private boolean fitsLocked(Slot slot) {
        return (slot.control ? reservedControl : reserved) + slot.weight <= capacity;
    }

    /** Counts the write as pending for its queues until {@link #finishLocked}. */
    private void admitLocked(Slot slot) {
        for (String q : slot.write.queues()) {
            pendingByQueue.computeIfAbsent(q, k -> new Pending()).count++;
        }
    }

    private void reserveLocked(Slot slot) {
        if (!slot.holds) {
            slot.holds = true;
            if (slot.control) {
                reservedControl += slot.weight;
            } else {
                reserved += slot.weight;
            }
        }
    }

    private void releaseLocked(Slot slot) {
        if (slot.holds) {
            slot.holds = false;
            if (slot.control) {
                reservedControl -= slot.weight;
            } else {
                reserved -= slot.weight;
            }
        }
    }

    /** Puts an admitted write (holding its slots) at the end of the queue for the first time. */
    private void waitLocked(Slot slot) {
        waiting.addLast(slot);
        waitingSlots += slot.weight;
        count(Counter.STORAGE_BUFFERED, slot.weight);
    }

    /** The write is done with (written or given up); queues that became settled are woken by {@link #completeSettled}. */
    private void finishLocked(Slot slot) {
        for (String q : slot.write.queues()) {
            Pending p = pendingByQueue.get(q);
            if (p != null && --p.count == 0) {
                pendingByQueue.remove(q);
                settledNow.add(p.settled);
            }
        }
    }

    private void completeSettled() {
        List<CompletableFuture<Void>> complete;
        synchronized (this) {
            if (settledNow.isEmpty()) {
                return;
            }
            complete = new ArrayList<>(settledNow);
            settledNow.clear();
        }
        complete.forEach(f -> f.complete(null));
    }

    private void enterDegradedLocked(String cause) {
        degraded = true;
        degradedSinceNanos = System.nanoTime();
        lastStillDownLogNanos = degradedSinceNanos;
        backoffMillis = FIRST_BACKOFF_MILLIS;
        LOG.warn("Redis did not take a write ({}); keeping writes in memory and retrying (buffer of {} messages)",
                cause, capacity);
        schedule(FIRST_BACKOFF_MILLIS);
    }

    /** Schedules the next round. Caller holds the lock. */
    private void schedule(long delayMillis) {
        ScheduledExecutorService timer = timers;
        if (timer == null || closed) {
            return;
        }
        try {
            nextRound = timer.schedule(this::round, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("Timer stopped; the retry buffer is flushed at close");
        }
    }

    /**
     * Some Redis operation just succeeded (a login's presence claim, a read): Redis is back, so the
     * next retry round runs now rather than at the end of its backoff. Costs one volatile read when
     * nothing waits.
     */
    public void redisAnswered() {
        if (!degraded) {
            return;
        }
        synchronized (this) {
            if (degraded && !roundRunning && nextRound != null && nextRound.cancel(false)) {
                backoffMillis = FIRST_BACKOFF_MILLIS;
                schedule(0);
            }
        }
    }

    /** One retry round: the oldest waiting writes, up to {@link #ROUND_SLOTS}, sent together. */
    private void round() {
        List<Slot> batch = new ArrayList<>();
        synchronized (this) {
            nextRound = null;
            if (closed) {
                return;
            }
            int slots = 0;
            while (!waiting.isEmpty() && (batch.isEmpty() || slots + waiting.peekFirst().weight <= ROUND_SLOTS)) {
                Slot s = waiting.pollFirst();
                slots += s.weight;
                waitingSlots -= s.weight;
                batch.add(s);
            }
            if (batch.isEmpty()) {
                recoveredLocked();
                return;
            }
            roundRunning = true;
            count(Counter.STORAGE_RETRIES, slots);
        }
        Object[] results = new Object[batch.size()];
        Throwable[] failures = new Throwable[batch.size()];
        AtomicInteger left = new AtomicInteger(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            int index = i;
            attempt(batch.get(i)).whenComplete((result, failure) -> {
                results[index] = result;
                failures[index] = failure;
                if (left.decrementAndGet() == 0) {
                    roundDone(batch, results, failures);
                }
            });
        }
    }

    private void roundDone(List<Slot> batch, Object[] results, Throwable[] failures) {
        List<Slot> givenUp = new ArrayList<>();
        Throwable firstFailure = null;
        synchronized (this) {
            roundRunning = false;
            int failed = 0;
            for (Throwable f : failures) {
                if (f != null) {
                    failed++;
                    firstFailure = firstFailure == null ? f : firstFailure;
                }
            }
            boolean redisAnswered = failed < batch.size();
            // Failed writes go back to the head, in their order, ahead of anything queued meanwhile.
            for (int i = batch.size() - 1; i >= 0; i--) {
                Slot s = batch.get(i);
                if (failures[i] == null) {
                    count(Counter.STORAGE_DRAINED, s.weight);
                    releaseLocked(s);
                    finishLocked(s);
                } else if (closed || redisAnswered && ++s.strikes >= MAX_STRIKES) {
                    // Stopping, or Redis takes other writes but never this one (it would hold the queue forever).
                    givenUp.add(s);
                    releaseLocked(s);
                    finishLocked(s);
                } else {
                    waiting.addFirst(s);
                    waitingSlots += s.weight;
                }
            }
            if (!closed) {
                if (failed > 0) {
                    backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
                    long now = System.nanoTime();
                    if (now - lastStillDownLogNanos >= STILL_DOWN_LOG_NANOS) {
                        lastStillDownLogNanos = now;
                        LOG.warn("Redis still does not take writes after {} s ({}): {} of {} buffer slots in use",
                                TimeUnit.NANOSECONDS.toSeconds(now - degradedSinceNanos), firstFailure, reserved,
                                capacity);
                    }
                    schedule(backoffMillis);
                } else if (waiting.isEmpty()) {
                    backoffMillis = FIRST_BACKOFF_MILLIS;
                    recoveredLocked();
                } else {
                    backoffMillis = FIRST_BACKOFF_MILLIS;
                    schedule(0);
                }
            }
        }
        completeSettled();
        for (int i = 0; i < batch.size(); i++) {
            if (failures[i] == null) {
                batch.get(i).write.done(results[i]);
            }
        }
        for (Slot s : givenUp) {
            abandon(s, closed ? "the server stopped while Redis did not take writes"
                    : "Redis refused it " + MAX_STRIKES + " times while taking other writes", failures[batch.indexOf(s)]);
        }
    }

    private void recoveredLocked() {
        if (degraded) {
            degraded = false;
            LOG.warn("Redis takes writes again: every kept write is stored, {} ms after the first failure",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - degradedSinceNanos));
        }
    }

    private void abandon(Slot slot, String why, Throwable cause) {
        synchronized (this) {
            if (slot.abandoned) {
                return;
            }
            slot.abandoned = true;
        }
        LOG.error("A write to Redis is given up ({}; last failure: {})", why, cause == null ? "none" : cause.toString());
        slot.write.abandoned(why);
    }

    /**
     * The server stops: no more rounds; every waiting write is sent one last time. Call
     * {@link #reportUnwritten()} once the store's operations in flight had their chance to finish.
     */
    public void flushForStop() {
        List<Slot> last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            last = new ArrayList<>(waiting);
            waiting.clear();
            waitingSlots = 0;
            flushedAtClose = last;
        }
        if (!last.isEmpty()) {
            LOG.warn("Stopping with {} write(s) waiting for Redis: trying them one last time", last.size());
        }
        for (Slot s : last) {
            attempt(s).whenComplete((result, failure) -> {
                synchronized (this) {
                    if (failure != null || s.abandoned) {
                        return; // reportUnwritten gives it up (or already did)
                    }
                    s.flushed = true;
                }
                s.write.done(result);
            });
        }
    }

    /** Gives up what the last flush did not write (logged at ERROR, counted by the writes); wakes every waiter. */
    public void reportUnwritten() {
        List<Slot> unwritten = new ArrayList<>();
        List<CompletableFuture<Void>> waiters;
        synchronized (this) {
            for (Slot s : flushedAtClose) {
                if (!s.flushed && !s.abandoned) {
                    s.abandoned = true;
                    unwritten.add(s);
                }
            }
            flushedAtClose = List.of();
            waiters = new ArrayList<>();
            pendingByQueue.values().forEach(p -> waiters.add(p.settled));
            pendingByQueue.clear();
        }
        if (!unwritten.isEmpty()) {
            int slots = unwritten.stream().mapToInt(s -> s.weight).sum();
            LOG.error("Redis did not take {} write(s) ({} message slots) before the server stopped: they are lost",
                    unwritten.size(), slots);
            for (Slot s : unwritten) {
                s.write.abandoned("the server stopped while Redis did not take writes");
            }
        }
        waiters.forEach(f -> f.complete(null));
    }

    /** A write with its bookkeeping. */
    private static final class Slot {
        final Write write;
        final int weight;
        final boolean control;
        boolean holds;
        int strikes;
        boolean flushed;
        boolean abandoned;

        Slot(Write write) {
            this.write = write;
            this.control = write.weight() <= 0;
            this.weight = Math.max(1, write.weight());
        }
    }

    private static final class Pending {
        int count;
        final CompletableFuture<Void> settled = new CompletableFuture<>();
    }
}
