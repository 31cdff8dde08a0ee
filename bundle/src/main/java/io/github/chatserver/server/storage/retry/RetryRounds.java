package io.github.chatserver.server.storage.retry;

import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes waiting for Redis and the rounds that retry them, oldest first, with backoff, on the
 * server's timer. From the first write that waits until a round leaves nothing waiting, Redis is
 * presumed down ({@link #degraded()}). Failed writes go back to the head of the queue, however
 * often they failed: a timeout or a lost connection says nothing of a write's fate. Only a write
 * Redis itself refuses ({@link AttemptFailure#isRefusal}) {@link #MAX_STRIKES} times in rounds
 * where it took others is given up, so that it cannot hold the queue forever.
 *
 * <p>State changes happen under this object's lock; attempts are sent and outcomes reported after it
 * is released. The only lock taken under it is the {@link SlotPool}'s, for a log line.
 */
final class RetryRounds {
    private static final Logger LOG = LoggerFactory.getLogger(RetryBuffer.class);
    /** Most slots tried in one round; writes of a round are sent together (Redisson pipelines them). */
    static final int ROUND_SLOTS = 1_000;
    /** A write that Redis refuses this many times in rounds where it took others is given up (logged, counted). */
    static final int MAX_STRIKES = 5;

    /** What became of the writes of a round; called without any lock held. */
    interface Outcomes {
        /** Redis took the write; {@code done} runs its callback. */
        void written(PendingWrite<?> w, Runnable done);

        /** Redis refused the write {@link #MAX_STRIKES} times while taking others: it is not tried again. */
        void refused(PendingWrite<?> w, Throwable lastFailure);

        /** The write failed in the round that ran when the server stopped: it is not tried again. */
        void stopped(PendingWrite<?> w, Throwable lastFailure);
    }

    private final SlotPool slots;
    private final Outcomes outcomes;
    // Guarded by this.
    private final ArrayDeque<PendingWrite<?>> waiting = new ArrayDeque<>();
    private int waitingSlots;
    private final Backoff backoff = new Backoff();
    private final OutageLog outage = new OutageLog();
    /** The next round, scheduled (null while a round runs or none is due). */
    private ScheduledFuture<?> nextRound;
    private boolean roundRunning;
    /** True from the first write that waits until a round leaves nothing waiting: new writes queue up. */
    private volatile boolean degraded;
    /** The server stops: no more rounds, nothing added. */
    private volatile boolean closed;
    private volatile ScheduledExecutorService timers;
    private volatile ServerStats stats = new ServerStats();

    RetryRounds(SlotPool slots, Outcomes outcomes) {
        this.slots = slots;
        this.outcomes = outcomes;
    }

    void start(ScheduledExecutorService serverTimers, ServerStats serverStats) {
        this.timers = serverTimers;
        this.stats = serverStats;
    }

    boolean degraded() {
        return degraded;
    }

    boolean closed() {
        return closed;
    }

    synchronized int waitingSlots() {
        return waitingSlots;
    }

    /**
     * Puts an admitted write, holding its slots, at the end of the queue for the first time; the
     * first to wait starts the outage ({@code cause} says why). False if the server stops.
     */
    synchronized boolean add(PendingWrite<?> w, String cause) {
        if (closed) {
            return false;
        }
        waiting.addLast(w);
        waitingSlots += w.slots;
        count(Counter.STORAGE_BUFFERED, w.slots);
        if (!degraded) {
            degraded = true;
            outage.began(cause, slots.capacity());
            schedule(backoff.reset());
        }
        return true;
    }

    /**
     * Some Redis operation just succeeded: Redis is back, so the next round runs now rather than at
     * the end of its backoff. Costs one volatile read when nothing waits.
     */
    void redisAnswered() {
        if (!degraded) {
            return;
        }
        synchronized (this) {
            if (degraded && !roundRunning && nextRound != null && nextRound.cancel(false)) {
                backoff.reset();
                schedule(0);
            }
        }
    }

    /** No more rounds; returns what waits (null if already closed). A round in flight still reports its outcome. */
    synchronized List<PendingWrite<?>> close() {
        if (closed) {
            return null;
        }
        closed = true;
        List<PendingWrite<?>> last = new ArrayList<>(waiting);
        waiting.clear();
        waitingSlots = 0;
        return last;
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

    /** One retry round: the oldest waiting writes, up to {@link #ROUND_SLOTS}, sent together. */
    private void round() {
        List<PendingWrite<?>> batch = new ArrayList<>();
        synchronized (this) {
            nextRound = null;
            if (closed) {
                return;
            }
            int taken = 0;
            while (!waiting.isEmpty() && (batch.isEmpty() || taken + waiting.peekFirst().slots <= ROUND_SLOTS)) {
                PendingWrite<?> w = waiting.pollFirst();
                taken += w.slots;
                waitingSlots -= w.slots;
                batch.add(w);
            }
            if (batch.isEmpty()) {
                recovered();
                return;
            }
            roundRunning = true;
            count(Counter.STORAGE_RETRIES, taken);
        }
        Runnable[] written = new Runnable[batch.size()];
        Throwable[] failures = new Throwable[batch.size()];
        AtomicInteger left = new AtomicInteger(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            int index = i;
            batch.get(i).attempt().whenComplete((done, failure) -> {
                written[index] = done;
                failures[index] = failure;
                if (left.decrementAndGet() == 0) {
                    roundDone(batch, written, failures);
                }
            });
        }
    }

    private void roundDone(List<PendingWrite<?>> batch, Runnable[] written, Throwable[] failures) {
        List<Integer> refused = new ArrayList<>();
        List<Integer> stopped = new ArrayList<>();
        synchronized (this) {
            roundRunning = false;
            int failed = 0;
            Throwable firstFailure = null;
            for (Throwable f : failures) {
                if (f != null) {
                    failed++;
                    firstFailure = firstFailure == null ? f : firstFailure;
                }
            }
            boolean redisAnswered = failed < batch.size();
            // Failed writes go back to the head, in their order, ahead of anything queued meanwhile.
            for (int i = batch.size() - 1; i >= 0; i--) {
                PendingWrite<?> w = batch.get(i);
                if (failures[i] == null) {
                    count(Counter.STORAGE_DRAINED, w.slots);
                } else if (closed) {
                    stopped.add(i);
                } else if (redisAnswered && AttemptFailure.isRefusal(failures[i]) && ++w.strikes >= MAX_STRIKES) {
                    refused.add(i); // Redis takes other writes but never this one: it would hold the queue forever
                } else {
                    waiting.addFirst(w);
                    waitingSlots += w.slots;
                }
            }
            if (!closed) {
                if (failed > 0) {
                    long delay = backoff.grow();
                    outage.stillDown(firstFailure, slots.messages(), slots.capacity());
                    schedule(delay);
                } else if (waiting.isEmpty()) {
                    backoff.reset();
                    recovered();
                } else {
                    backoff.reset();
                    schedule(0);
                }
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            if (failures[i] == null) {
                outcomes.written(batch.get(i), written[i]);
            }
        }
        for (int i : refused) {
            outcomes.refused(batch.get(i), failures[i]);
        }
        for (int i : stopped) {
            outcomes.stopped(batch.get(i), failures[i]);
        }
    }

    /** Caller holds the lock. */
    private void recovered() {
        if (degraded) {
            degraded = false;
            outage.ended();
        }
    }

    private void count(Counter counter, int n) {
        ServerStats s = stats;
        for (int i = 0; i < n; i++) {
            s.increment(counter);
        }
    }
}
