package io.github.chatserver.server.transport;

import java.util.function.Supplier;

/**
 * A token bucket that refills at {@code perSecond} up to {@code burst} tokens. It may go into
 * debt: what a session already sent cannot be un-read, so it is taken in full and paid back
 * before the session is read again. Times are {@link System#nanoTime()} values passed in, so
 * tests need no clock. Not thread-safe: its owner synchronizes.
 *
 * <p>The bucket asks its {@link Rate} supplier on every use instead of keeping the rate it was
 * made with, so a live change of the limits applies at once to every bucket: a higher rate
 * refills from the next use on, a lower burst caps the tokens held at once.
 */
final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1e9;

    /** How fast a bucket refills and how many tokens it holds at most. */
    record Rate(double perSecond, double burst) {
        Rate {
            if (!(perSecond > 0) || !(burst > 0)) {
                throw new IllegalArgumentException("perSecond and burst must be positive");
            }
        }

        /** A burst of one second's worth. */
        static Rate perSecond(double perSecond) {
            return new Rate(perSecond, perSecond);
        }
    }

    private final Supplier<Rate> rate;
    private double tokens;
    private long last;

    /** A full bucket of a fixed rate with a burst of one second's worth. */
    TokenBucket(double perSecond, long now) {
        this(fixed(Rate.perSecond(perSecond)), now);
    }

    /** A full bucket whose rate and burst are whatever {@code rate} says at each use. */
    TokenBucket(Supplier<Rate> rate, long now) {
        this.rate = rate;
        this.tokens = rate.get().burst();
        this.last = now;
    }

    private static Supplier<Rate> fixed(Rate rate) {
        return () -> rate;
    }

    /** Adds what accrued since the last use and caps at the burst; returns the rate it used. */
    private Rate refill(long now) {
        Rate r = rate.get();
        if (now > last) {
            tokens += (now - last) * r.perSecond() / NANOS_PER_SECOND;
            last = now;
        }
        tokens = Math.min(r.burst(), tokens);
        return r;
    }

    /** Takes {@code n} tokens if there are that many; false (and nothing taken) otherwise. */
    boolean tryTake(double n, long now) {
        refill(now);
        if (tokens < n) {
            return false;
        }
        tokens -= n;
        return true;
    }

    /** Takes {@code n} tokens, going into debt if there are not enough. */
    void take(double n, long now) {
        refill(now);
        tokens -= n;
    }

    boolean inDebt(long now) {
        refill(now);
        return tokens < 0;
    }

    /** True once a whole burst is available again: the bucket's owner has been quiet long enough. */
    boolean isFull(long now) {
        Rate r = refill(now);
        return tokens >= r.burst();
    }

    /** Nanoseconds until the debt is paid back; 0 if there is none. */
    long nanosUntilPaid(long now) {
        Rate r = refill(now);
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / r.perSecond() * NANOS_PER_SECOND);
    }
}
