package io.github.chatserver.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Token buckets on a clock of our own: burst, refill, debt and its pay-back time, and a rate
 * changed while the bucket is in use.
 */
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

    @Test
    void aBurstLargerThanTheRateIsAdmittedAtOnceThenOnlyTheRate() {
        TokenBucket bucket = new TokenBucket(() -> new TokenBucket.Rate(64, 1024), 0);
        for (int i = 0; i < 1024; i++) {
            assertTrue(bucket.tryTake(1, 0), "burst token " + i);
        }
        assertFalse(bucket.tryTake(1, 0), "the burst is spent");
        // A sustained flood, 256 attempts a second for ten seconds, gets the rate and no more
        // (steps of 1/256 s: a quarter token each, exact in binary).
        int admitted = 0;
        for (long t = SECOND / 256; t <= 10 * SECOND; t += SECOND / 256) {
            admitted += bucket.tryTake(1, t) ? 1 : 0;
        }
        assertEquals(640, admitted, "64 a second for ten seconds");
        assertFalse(bucket.isFull(26 * SECOND - SECOND / 10));
        assertTrue(bucket.isFull(26 * SECOND), "full again after burst / rate = 16 quiet seconds");
    }

    @Test
    void aRaisedRateRefillsFromTheNextUseOnWithoutAddingTokensByItself() {
        AtomicReference<TokenBucket.Rate> rate = new AtomicReference<>(new TokenBucket.Rate(1, 3));
        TokenBucket bucket = new TokenBucket(rate::get, 0);
        assertTrue(bucket.tryTake(3, 0));
        assertFalse(bucket.tryTake(1, SECOND / 2), "half a token at 1/s");

        rate.set(new TokenBucket.Rate(1000, 3000));
        assertFalse(bucket.tryTake(1, SECOND / 2), "the change adds no tokens by itself");
        assertTrue(bucket.tryTake(1, SECOND / 2 + SECOND / 1000), "a millisecond at 1000/s is one token");
        assertTrue(bucket.isFull(SECOND / 2 + 4 * SECOND), "the bucket now holds the new burst");
        assertTrue(bucket.tryTake(3000, SECOND / 2 + 4 * SECOND));
    }

    @Test
    void aLoweredBurstCapsTheTokensAtOnceAndALoweredRateSlowsTheRefill() {
        AtomicReference<TokenBucket.Rate> rate = new AtomicReference<>(new TokenBucket.Rate(1000, 1000));
        TokenBucket bucket = new TokenBucket(rate::get, 0);
        assertTrue(bucket.tryTake(1, 0), "a full bucket of 1000");

        rate.set(new TokenBucket.Rate(2, 5));
        assertTrue(bucket.isFull(0), "999 tokens are more than the new burst");
        assertTrue(bucket.tryTake(5, 0), "the new burst");
        assertFalse(bucket.tryTake(1, 0), "no more than the new burst");
        assertFalse(bucket.tryTake(1, SECOND / 2 - 1), "refilled at 2/s, not 1000/s");
        assertTrue(bucket.tryTake(1, SECOND / 2));
    }

    @Test
    void aRateChangeAlsoChangesThePayBackTimeOfADebt() {
        AtomicReference<TokenBucket.Rate> rate = new AtomicReference<>(TokenBucket.Rate.perSecond(10));
        TokenBucket bucket = new TokenBucket(rate::get, 0);
        bucket.take(30, 0); // 20 in debt: two seconds at 10/s
        assertEquals(2 * SECOND, bucket.nanosUntilPaid(0));
        rate.set(TokenBucket.Rate.perSecond(40));
        assertEquals(SECOND / 2, bucket.nanosUntilPaid(0));
    }
}
