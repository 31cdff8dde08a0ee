package io.github.chatserver.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Token buckets on a clock of our own: burst, refill, debt and its pay-back time. */
class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void startsWithOneSecondsWorthAndRefillsAtItsRate() {
        TokenBucket bucket = new TokenBucket(10, 0);
        for (int i = 0; i < 10; i++) {
            assertTrue(bucket.tryTake(1, 0), "burst token " + i);
        }
        assertFalse(bucket.tryTake(1, 0), "the burst is spent");
        assertFalse(bucket.tryTake(1, SECOND / 10 - 1), "not quite one token later");
        assertTrue(bucket.tryTake(1, SECOND / 10));
    }

    @Test
    void neverHoldsMoreThanOneSecondsWorth() {
        TokenBucket bucket = new TokenBucket(10, 0);
        assertTrue(bucket.isFull(60 * SECOND));
        assertTrue(bucket.tryTake(10, 60 * SECOND));
        assertFalse(bucket.tryTake(1, 60 * SECOND), "a minute of quiet still buys only one second's burst");
    }

    @Test
    void debtIsPaidBackAtTheRate() {
        TokenBucket bucket = new TokenBucket(10, 0);
        bucket.take(25, 0); // 15 in debt
        assertTrue(bucket.inDebt(0));
        assertEquals(SECOND + SECOND / 2, bucket.nanosUntilPaid(0));
        assertEquals(SECOND / 2, bucket.nanosUntilPaid(SECOND));
        assertFalse(bucket.inDebt(SECOND + SECOND / 2));
        assertEquals(0, bucket.nanosUntilPaid(2 * SECOND));
        assertFalse(bucket.isFull(2 * SECOND));
        assertTrue(bucket.isFull(2 * SECOND + SECOND / 2));
    }

    @Test
    void aClockGoingBackwardsAddsNothing() {
        TokenBucket bucket = new TokenBucket(10, SECOND);
        bucket.take(10, SECOND);
        assertFalse(bucket.tryTake(1, 0));
    }
}
