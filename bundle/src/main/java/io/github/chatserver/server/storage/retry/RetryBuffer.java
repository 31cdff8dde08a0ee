package io.github.chatserver.server.storage.retry;

import io.github.chatserver.server.stats.ServerStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
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
 * admitted is dropped for lack of room. A new write that finds no free slot is refused, and the
 * caller must make that visible. A message accepted earlier (its write to an online recipient
 * failed) is never refused for lack of room: it takes its slots beyond the capacity
 * ({@link #submitAccepted}). While writes wait, Redis is presumed down: new writes join the end of
 * the queue instead of being sent (no pile-up of doomed requests, and each write is in flight at
 * most once at a time). Once a retry round succeeds and nothing waits any more, writes go straight
 * to Redis again.
 *
 * <p>A failed attempt is not an outcome unless Redis itself refused the write
 * ({@link AttemptFailure}): after a timeout or a lost connection the write may or may not have run,
 * so it is kept and sent again, for as long as the server runs. Every write must therefore be
 * idempotent. Order between writes does not matter: messages carry the sequence number taken when
 * they were accepted, and queues are sorted by it. What is lost is lost at stop only, while Redis
 * still does not take it, and it is counted and reported exactly ({@link #reportUnwritten}).
 *
 * <p>This class admits writes and reports their outcomes; its parts each do one job under their own
 * short lock: {@link SlotPool} (the bound), {@link RetryRounds} (waiting and retrying, with
 * {@link Backoff}), {@link QueueSettlement} (who waits for a queue), {@link StopFlush} (the last
 * try and the account at stop). No part calls another while holding its lock (but for a leaf read
 * of the pool's fill for a log line), and callbacks — a write's {@code done} or {@code abandoned},
 * a delivery woken — run with no lock held. Nothing here blocks: attempts are Redisson's async
 * calls and rounds are scheduled on the server's timer.
 */
public final class RetryBuffer {
    private static final Logger LOG = LoggerFactory.getLogger(RetryBuffer.class);
    private static final String STOPPED = "the server stopped while Redis did not take writes";

    private final SlotPool slots;
    private final QueueSettlement settlement = new QueueSettlement();
    private final RetryRounds rounds;
    private final StopFlush stopFlush = new StopFlush();
    private volatile ScheduledExecutorService timers;

    public RetryBuffer(int capacity) {
        this.slots = new SlotPool(capacity);
        this.rounds = new RetryRounds(slots, new RetryRounds.Outcomes() {
            @Override
            public void written(PendingWrite<?> w, Runnable done) {
                RetryBuffer.this.written(w, done);
            }

            @Override
            public void refused(PendingWrite<?> w, Throwable lastFailure) {
                forget(w);
                abandon(w, "Redis refused it " + RetryRounds.MAX_STRIKES + " times while taking other writes",
                        lastFailure);
            }

            @Override
            public void stopped(PendingWrite<?> w, Throwable lastFailure) {
                unwrittenAtStop(w, lastFailure);
            }
        });
    }

    /** Hands over the server's timer (retry rounds, bounded waits) and counters. Call before any traffic. */
    public void start(ScheduledExecutorService serverTimers, ServerStats serverStats) {
        this.timers = serverTimers;
        rounds.start(serverTimers, serverStats);
    }

    public int capacity() {
        return slots.capacity();
    }

    /** Message slots held now: messages waiting or being retried, and first attempts in flight. */
    public int reserved() {
        return slots.messages();
    }

    /** Control writes (removals, presence releases) held now, in their own pool of {@code capacity}. */
    public int reservedControl() {
        return slots.control();
    }

    /** Slots of the writes waiting for the next retry round (not those of a round in flight). */
    public int waiting() {
        return rounds.waitingSlots();
    }

    /** True while writes wait for Redis (new writes queue behind them instead of being sent). */
    public boolean degraded() {
        return rounds.degraded();
    }

    /**
     * A new write: sent at once when nothing waits for Redis, else queued behind what waits; either
     * way it holds its slots until Redis took it. Refused when its slots are not free (or the
     * server stops). With {@code capacity} 0 the buffer is off: a write is sent without slots, and
     * lost if that attempt fails.
     */
    public <R> Admission submit(Write<R> write) {
        return admit(new PendingWrite<>(write), false);
    }

    /**
     * A write for a message accepted earlier, which must be kept whatever the fill: typically a
     * message whose write to an online recipient failed. It takes its slots even beyond the
     * capacity, so that new writes are refused until the buffer drains below it. Refused only when
     * the server stops.
     */
    public <R> Admission submitAccepted(Write<R> write) {
        return admit(new PendingWrite<>(write), true);
    }

    /** A write that already failed once elsewhere (a removal, a presence release): queued for retry. */
    public <R> Admission enqueue(Write<R> write) {
        PendingWrite<R> w = new PendingWrite<>(write);
        if (rounds.closed() || !slots.tryReserve(w)) {
            return Admission.REFUSED;
        }
        settlement.admit(w.queues());
        return queue(w, "a write failed");
    }

    private Admission admit(PendingWrite<?> w, boolean acceptedEarlier) {
        if (rounds.closed()) {
            return Admission.REFUSED;
        }
        if (!bufferOff()) {
            if (acceptedEarlier) {
                slots.reserveBeyondCapacity(w);
            } else if (!slots.tryReserve(w)) {
                return Admission.REFUSED;
            }
        }
        settlement.admit(w.queues());
        if (rounds.degraded()) {
            return queue(w, "writes wait for Redis");
        }
        w.attempt().whenComplete((done, failure) -> {
            if (failure == null) {
                written(w, done);
            } else {
                firstAttemptFailed(w, failure);
            }
        });
        return Admission.SENT;
    }

    /** Puts an admitted write, holding its slots, in the waiting queue. */
    private Admission queue(PendingWrite<?> w, String cause) {
        if (rounds.add(w, cause)) {
            return Admission.BUFFERED;
        }
        forget(w); // the server stopped meanwhile
        return Admission.REFUSED;
    }

    private boolean bufferOff() {
        return slots.capacity() == 0;
    }

    /**
     * Completes with {@code true} once no write admitted for the offline queue {@code queueKey} is
     * pending (at once if none is), or with {@code false} after {@code max}. A delivery from that
     * queue waits on it, so it neither overtakes older messages still on their way to Redis nor
     * serves again a message whose removal is still to be written.
     */
    public CompletionStage<Boolean> settled(String queueKey, Duration max) {
        return settlement.settled(queueKey, max, timers);
    }

    /**
     * Some Redis operation just succeeded (a login's presence claim, a read): Redis is back, so the
     * next retry round runs now rather than at the end of its backoff. Costs one volatile read when
     * nothing waits.
     */
    public void redisAnswered() {
        rounds.redisAnswered();
    }

    /** The first attempt failed: the write waits for the next round, whatever the failure (it holds its slots). */
    private void firstAttemptFailed(PendingWrite<?> w, Throwable failure) {
        if (bufferOff()) {
            forget(w);
            abandon(w, "the retry buffer is off (storageRetryBuffer=0)", failure);
        } else if (!rounds.add(w, failure.toString())) {
            unwrittenAtStop(w, failure);
        }
    }

    /** Redis took the write: its slots and its queues are free, then its callback runs. */
    private void written(PendingWrite<?> w, Runnable done) {
        forget(w);
        done.run();
    }

    /** The buffer is done with the write: its slots are given back and its queues may settle. */
    private void forget(PendingWrite<?> w) {
        slots.release(w);
        settlement.finish(w.queues());
    }

    /** A write failed after the stop began: reported with the rest, or on its own if the report was made. */
    private void unwrittenAtStop(PendingWrite<?> w, Throwable failure) {
        if (!stopFlush.add(w)) {
            forget(w);
            abandon(w, STOPPED, failure);
        }
    }

    private static void abandon(PendingWrite<?> w, String why, Throwable cause) {
        LOG.error("A write to Redis is given up ({}; last failure: {})", why, cause == null ? "none" : cause.toString());
        w.write.abandoned(why);
    }

    /**
     * The server stops: no more rounds; every waiting write is sent one last time. Call
     * {@link #reportUnwritten()} once the store's operations in flight had their chance to finish.
     */
    public void flushForStop() {
        List<PendingWrite<?>> last = rounds.close();
        if (last != null) {
            stopFlush.flush(last, this::written);
        }
    }

    /**
     * Gives up what Redis did not take by now, since the stop began: the writes of the last flush,
     * and those that failed in a first attempt or a round after it. One ERROR line gives the exact
     * count; each write counts its own loss ({@link Write#abandoned}). Wakes every waiter.
     */
    public void reportUnwritten() {
        List<PendingWrite<?>> unwritten = stopFlush.report();
        if (!unwritten.isEmpty()) {
            int messages = unwritten.stream().filter(w -> !w.control).mapToInt(w -> w.slots).sum();
            LOG.error("The server stopped while Redis did not take {} message(s) for offline users and {} other "
                            + "write(s) (removals, presence releases): they are lost (if Redis was hung rather than "
                            + "down, it may still run some of them when it resumes)",
                    messages, unwritten.stream().filter(w -> w.control).count());
            for (PendingWrite<?> w : unwritten) {
                forget(w);
                w.write.abandoned(STOPPED);
            }
        }
        settlement.releaseAll();
    }
}
