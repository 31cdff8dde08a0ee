package io.github.chatserver.server.storage.retry;

import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.RedisResponseTimeoutException;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The retry buffer on its own, against a Redis stand-in that is up or down at the test's command. */
class RetryBufferTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final ServerStats stats = new ServerStats();
    private final FakeRedis redis = new FakeRedis();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    private RetryBuffer buffer(int capacity) {
        RetryBuffer buffer = new RetryBuffer(capacity);
        buffer.start(timers, stats);
        return buffer;
    }

    @Test
    void whileRedisIsUpWritesGoStraightThroughAndHoldNothing() {
        RetryBuffer buffer = buffer(10);
        TestWrite w = new TestWrite("a", 3, "q");

        assertEquals(Admission.SENT, buffer.submit(w));

        assertEquals(1, w.done.get());
        assertEquals(0, buffer.reserved());
        assertFalse(buffer.degraded());
        assertEquals(0, stats.get(Counter.STORAGE_BUFFERED));
    }

    @Test
    void aFailedWriteIsKeptAndWrittenExactlyOnceWhenRedisIsBackAndLaterWritesQueueBehindIt() {
        RetryBuffer buffer = buffer(100);
        redis.up = false;
        TestWrite first = new TestWrite("first", 1, "q");
        assertEquals(Admission.SENT, buffer.submit(first)); // sent, failed, kept
        assertTrue(buffer.degraded());
        List<TestWrite> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TestWrite w = new TestWrite("w" + i, 2, "q");
            later.add(w);
            assertEquals(Admission.BUFFERED, buffer.submit(w), "queued, not sent, while writes wait");
        }
        assertEquals(11, buffer.reserved());
        await().atMost(WAIT).until(() -> redis.failedAttempts.get() >= 3); // retries happen while down

        redis.up = true;

        await().atMost(WAIT).until(() -> !buffer.degraded() && later.get(4).done.get() == 1);
        assertEquals(1, first.done.get());
        later.forEach(w -> assertEquals(1, w.done.get(), w.name + " written once"));
        assertEquals(0, buffer.reserved());
        assertEquals(11, stats.get(Counter.STORAGE_BUFFERED));
        assertEquals(11, stats.get(Counter.STORAGE_DRAINED));
        assertTrue(stats.get(Counter.STORAGE_RETRIES) > 11, "failed rounds are counted as retries too");
        // Oldest first: the successful attempts ran in admission order.
        List<String> succeeded = redis.succeeded;
        assertEquals(List.of("first", "w0", "w1", "w2", "w3", "w4"), succeeded);

        TestWrite after = new TestWrite("after", 1, "q");
        assertEquals(Admission.SENT, buffer.submit(after), "healthy again: straight through");
    }

    @Test
    void retriesBackOffExponentiallyOnTheTimer() {
        RetryBuffer buffer = buffer(100);
        redis.up = false;
        long start = System.nanoTime();
        buffer.submit(new TestWrite("w", 1, "q"));

        await().atMost(WAIT).until(() -> redis.failedAttempts.get() >= 5); // first attempt + 4 retries
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        // Retries at 200, 200+400, +800, +1600 ms: no busy loop, and no longer than the schedule.
        long expected = Backoff.FIRST_MILLIS * (1 + 2 + 4 + 8);
        assertTrue(elapsedMillis >= expected - 50 && elapsedMillis < expected + 1500,
                "4 retries took " + elapsedMillis + " ms, expected about " + expected);
        assertEquals(5, redis.failedAttempts.get(), "one attempt per round");
    }

    @Test
    void whenRedisAnswersSomethingElseTheNextRoundRunsAtOnceInsteadOfAtTheEndOfItsBackoff() {
        RetryBuffer buffer = buffer(100);
        redis.up = false;
        TestWrite w = new TestWrite("w", 1, "q");
        buffer.submit(w);
        await().atMost(WAIT).until(() -> redis.failedAttempts.get() >= 4); // the next round is 1.6 s away
        redis.up = true;
        long t0 = System.nanoTime();

        buffer.redisAnswered(); // e.g. a login's presence claim just succeeded

        await().atMost(WAIT).until(() -> w.done.get() == 1);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < 500, "written " + millis + " ms after Redis answered");
    }

    @Test
    void aFullBufferRefusesNewWritesButKeepsEveryAdmittedOne() {
        RetryBuffer buffer = buffer(5);
        redis.up = false;
        TestWrite a = new TestWrite("a", 2, "q1");
        TestWrite b = new TestWrite("b", 3, "q2");
        TestWrite c = new TestWrite("c", 1, "q3");
        assertEquals(Admission.SENT, buffer.submit(a));
        assertEquals(Admission.BUFFERED, buffer.submit(b));

        assertEquals(Admission.REFUSED, buffer.submit(c), "5 of 5 slots held");
        assertEquals(Admission.REFUSED, buffer.enqueue(new TestWrite("d", 1, "q4")));

        redis.up = true;
        await().atMost(WAIT).until(() -> !buffer.degraded() && b.done.get() == 1);
        assertEquals(1, a.done.get());
        assertEquals(1, b.done.get());
        assertEquals(0, c.done.get() + c.abandoned.get(), "a refused write is the caller's to report");
        assertEquals(Admission.SENT, buffer.submit(c));
    }

    @Test
    void controlWritesHaveTheirOwnPoolSoAFullBufferStillReleasesPresence() {
        RetryBuffer buffer = buffer(2);
        redis.up = false;
        buffer.submit(new TestWrite("message", 2, "q"));
        assertEquals(Admission.REFUSED, buffer.submit(new TestWrite("another", 1, "q")));
        AtomicInteger released = new AtomicInteger();
        Write<Object> release = Write.control(List.of(), () -> {
            CompletionStage<?> answer = redis.attempt("release");
            if (redis.up) {
                released.incrementAndGet();
            }
            return answer;
        });

        assertEquals(Admission.BUFFERED, buffer.enqueue(release));
        assertEquals(1, buffer.reservedControl());
        assertEquals(Admission.BUFFERED, buffer.enqueue(Write.control(List.of(), () -> redis.attempt("r2"))));
        assertEquals(Admission.REFUSED, buffer.enqueue(Write.control(List.of(), () -> redis.attempt("r3"))),
                "the control pool is bounded too");

        redis.up = true;
        await().atMost(WAIT).until(() -> released.get() == 1 && buffer.reservedControl() == 0 && buffer.reserved() == 0);
    }

    @Test
    void aWriteInFlightKeepsItsSlotsSoItsFailureAlwaysFindsRoom() {
        RetryBuffer buffer = buffer(3);
        CompletableFuture<Object> answer = new CompletableFuture<>();
        TestWrite slow = new TestWrite("slow", 2, "q") {
            @Override
            public CompletionStage<?> attempt() {
                return redis.attempts.incrementAndGet() == 1 ? answer : redis.attempt(name);
            }
        };
        assertEquals(Admission.SENT, buffer.submit(slow));
        redis.up = false;
        TestWrite other = new TestWrite("other", 1, "q");
        assertEquals(Admission.SENT, buffer.submit(other)); // fails at once, takes the last slot
        assertEquals(Admission.REFUSED, buffer.submit(new TestWrite("more", 1, "q")));

        answer.completeExceptionally(new IllegalStateException("timed out"));
        assertEquals(0, slow.abandoned.get(), "its slots were held: it waits, it is not lost");
        redis.up = true;
        await().atMost(WAIT).until(() -> slow.done.get() == 1 && other.done.get() == 1);
    }

    @Test
    void aNewWriteThatFindsNoFreeSlotIsRefusedRatherThanSentWithoutOne() {
        RetryBuffer buffer = buffer(2);
        CompletableFuture<Object> hung = new CompletableFuture<>();
        TestWrite first = new TestWrite("first", 2, "q") {
            @Override
            public CompletionStage<?> attempt() {
                return redis.attempts.incrementAndGet() == 1 ? hung : redis.attempt(name);
            }
        };
        assertEquals(Admission.SENT, buffer.submit(first)); // Redis hangs: no answer yet, both slots held
        TestWrite late = new TestWrite("late", 1, "q");

        assertEquals(Admission.REFUSED, buffer.submit(late), "it would have no place to wait if its attempt timed out");

        assertFalse(redis.succeeded.contains("late"), "not sent");
        hung.completeExceptionally(new RedisResponseTimeoutException("Redis server response timeout"));
        await().atMost(WAIT).until(() -> first.done.get() == 1);
        assertEquals(0, first.abandoned.get() + late.abandoned.get() + late.done.get());
    }

    @Test
    void aMessageWithMoreCopiesThanTheBufferHasSlotsIsTakenIntoAnEmptyBufferOnly() {
        RetryBuffer buffer = buffer(2);
        redis.up = false;
        TestWrite big = new TestWrite("group of three", 3, "q"); // e.g. a group text for three offline members

        assertEquals(Admission.SENT, buffer.submit(big), "an empty buffer has room for any one message");
        assertEquals(Admission.REFUSED, buffer.submit(new TestWrite("next", 1, "q")));
        assertEquals(Admission.REFUSED, buffer.submit(new TestWrite("another group", 3, "q")));

        redis.up = true;
        await().atMost(WAIT).until(() -> big.done.get() == 1 && buffer.reserved() == 0);
    }

    @Test
    void aMessageAcceptedEarlierIsKeptEvenWhenTheBufferIsFull() {
        RetryBuffer buffer = buffer(2);
        redis.up = false;
        TestWrite full = new TestWrite("full", 2, "q");
        buffer.submit(full); // fails: waits, and holds every slot
        assertEquals(Admission.REFUSED, buffer.submit(new TestWrite("new", 1, "q")));
        TestWrite accepted = new TestWrite("accepted", 1, "q"); // e.g. its write to an online recipient failed

        assertEquals(Admission.BUFFERED, buffer.submitAccepted(accepted), "kept beyond the capacity");

        assertEquals(3, buffer.reserved());
        assertEquals(Admission.REFUSED, buffer.submit(new TestWrite("newer", 1, "q")),
                "new messages are refused until it drains below the capacity");
        redis.up = true;
        await().atMost(WAIT).until(() -> accepted.done.get() == 1 && full.done.get() == 1 && buffer.reserved() == 0);
        assertEquals(0, accepted.abandoned.get());
    }

    @Test
    void aMessageAcceptedEarlierIsRefusedOnlyOnceTheServerStops() {
        RetryBuffer buffer = buffer(1);
        buffer.flushForStop();

        assertEquals(Admission.REFUSED, buffer.submitAccepted(new TestWrite("late", 1, "q")));
    }

    @Test
    void aWriteThatTimesOutIsNeverGivenUpEvenWhileRedisTakesOthers() {
        RetryBuffer buffer = buffer(1000);
        AtomicInteger tries = new AtomicInteger();
        int timeouts = 2 * RetryRounds.MAX_STRIKES;
        TestWrite slow = new TestWrite("slow", 1, "q") {
            @Override
            public CompletionStage<?> attempt() {
                // A timeout says nothing of its fate: Redis may have run it, or may run it later.
                return tries.incrementAndGet() <= timeouts
                        ? CompletableFuture.failedFuture(new RedisResponseTimeoutException("Redis server response timeout"))
                        : redis.attempt(name);
            }
        };
        buffer.submit(slow);
        List<TestWrite> others = new CopyOnWriteArrayList<>();

        // Writes keep coming behind it, and Redis takes them, round after round.
        await().atMost(WAIT).until(() -> {
            TestWrite w = new TestWrite("other" + others.size(), 1, "q");
            others.add(w);
            assertFalse(buffer.submit(w) == Admission.REFUSED);
            buffer.redisAnswered(); // the next round at once
            return slow.done.get() + slow.abandoned.get() > 0;
        });

        assertEquals(0, slow.abandoned.get(), "kept until its fate was known");
        assertEquals(1, slow.done.get());
        assertTrue(tries.get() > RetryRounds.MAX_STRIKES);
        await().atMost(WAIT).until(() -> others.stream().allMatch(w -> w.done.get() == 1) && buffer.reserved() == 0);
    }

    @Test
    void atStopWhatRedisDidNotTakeIsAbandonedOnceAndWhatItTookIsDone() {
        RetryBuffer buffer = buffer(10);
        CompletableFuture<Object> firstAttempt = new CompletableFuture<>();
        TestWrite inFlight = new TestWrite("in flight", 3, "q1") {
            @Override
            public CompletionStage<?> attempt() {
                return firstAttempt;
            }
        };
        CompletableFuture<Object> lateAttempt = new CompletableFuture<>();
        TestWrite answeredLate = new TestWrite("answered late", 1, "q3") {
            @Override
            public CompletionStage<?> attempt() {
                return lateAttempt;
            }
        };
        buffer.submit(inFlight);
        buffer.submit(answeredLate);
        redis.up = false;
        TestWrite waiting = new TestWrite("waiting", 2, "q2");
        buffer.submit(waiting); // fails: waits for a round

        buffer.flushForStop(); // waiting is tried once more, and fails again
        firstAttempt.completeExceptionally(new RedisConnectionException("Connection closed"));
        buffer.reportUnwritten();
        lateAttempt.complete("stored after all");

        assertEquals(List.of(1, 1, 0), List.of(inFlight.abandoned.get(), waiting.abandoned.get(), answeredLate.abandoned.get()));
        assertEquals(List.of(0, 0, 1), List.of(inFlight.done.get(), waiting.done.get(), answeredLate.done.get()));
    }

    @Test
    void aDeliveryWaitsUntilItsQueueIsSettledAndNoLongerThanItsBound() {
        RetryBuffer buffer = buffer(10);
        redis.up = false;
        buffer.submit(new TestWrite("w", 1, "queue-a"));
        assertTrue(buffer.settled("queue-b", WAIT).toCompletableFuture().join(), "nothing pending for b");

        CompletableFuture<Boolean> bounded = buffer.settled("queue-a", Duration.ofMillis(300)).toCompletableFuture();
        CompletableFuture<Boolean> patient = buffer.settled("queue-a", WAIT).toCompletableFuture();
        assertFalse(bounded.join(), "gave up after its bound while Redis is down");
        assertFalse(patient.isDone());

        redis.up = true;
        assertTrue(patient.join());
    }

    @Test
    void aWriteRedisRefusesWhileTakingOthersIsGivenUpInsteadOfHoldingTheQueue() {
        RetryBuffer buffer = buffer(1000);
        redis.up = false;
        TestWrite poison = new TestWrite("poison", 1, "q") {
            @Override
            public CompletionStage<?> attempt() {
                return redis.up ? CompletableFuture.failedFuture(new RedisException("WRONGTYPE Operation against a key"))
                        : redis.attempt(name);
            }
        };
        buffer.submit(poison);
        redis.up = true;
        List<TestWrite> good = new CopyOnWriteArrayList<>();

        // Writes keep coming behind it; Redis takes them, never the poison one.
        await().atMost(WAIT).until(() -> {
            TestWrite w = new TestWrite("good" + good.size(), 1, "q");
            good.add(w);
            assertFalse(buffer.submit(w) == Admission.REFUSED);
            return poison.abandoned.get() == 1;
        });
        await().atMost(WAIT).until(() -> good.stream().allMatch(w -> w.done.get() == 1));
        assertFalse(buffer.degraded());
        assertEquals(0, poison.done.get());
        assertEquals(0, buffer.reserved());
    }

    @Test
    void stoppingTriesWaitingWritesOnceAndReportsTheRestAsAbandoned() {
        RetryBuffer buffer = buffer(10);
        redis.up = false;
        TestWrite w = new TestWrite("w", 4, "q");
        buffer.submit(w);
        CompletableFuture<Boolean> waiter = buffer.settled("q", WAIT).toCompletableFuture();

        buffer.flushForStop();
        buffer.reportUnwritten();

        assertEquals(1, w.abandoned.get());
        assertEquals(0, w.done.get());
        assertTrue(waiter.isDone(), "nobody waits on a stopped buffer");
        assertEquals(Admission.REFUSED, buffer.submit(new TestWrite("late", 1, "q")));
    }

    @Test
    void withoutCapacityWritesStillGoStraightThroughButAFailureIsLost() {
        RetryBuffer buffer = buffer(0);
        TestWrite ok = new TestWrite("ok", 1, "q");
        assertEquals(Admission.SENT, buffer.submit(ok));
        assertEquals(1, ok.done.get());

        redis.up = false;
        TestWrite lost = new TestWrite("lost", 1, "q");
        buffer.submit(lost);
        assertEquals(1, lost.abandoned.get());
        assertFalse(buffer.degraded());
    }

    /** Answers at once: success while up, failure while down. Records what it took, in order. */
    private static final class FakeRedis {
        volatile boolean up = true;
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger failedAttempts = new AtomicInteger();
        final List<String> succeeded = Collections.synchronizedList(new ArrayList<>());

        CompletionStage<?> attempt(String name) {
            if (up) {
                succeeded.add(name);
                return CompletableFuture.completedFuture(name);
            }
            failedAttempts.incrementAndGet();
            return CompletableFuture.failedFuture(new RedisConnectionException("Unable to connect to Redis"));
        }
    }

    private class TestWrite implements Write<Object> {
        final String name;
        final int weight;
        final List<String> queues;
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger abandoned = new AtomicInteger();
        final List<Object> results = new CopyOnWriteArrayList<>();

        TestWrite(String name, int weight, String queue) {
            this.name = name;
            this.weight = weight;
            this.queues = List.of(queue);
        }

        @Override
        public int weight() {
            return weight;
        }

        @Override
        public Collection<String> queues() {
            return queues;
        }

        @Override
        public CompletionStage<?> attempt() {
            return redis.attempt(name);
        }

        @Override
        public void done(Object result) {
            results.add(result);
            done.incrementAndGet();
        }

        @Override
        public void abandoned(String why) {
            abandoned.incrementAndGet();
        }
    }
}
