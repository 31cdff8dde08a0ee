package io.github.chatserver.server.transport;

/**
 * A token bucket that refills at {@code perSecond} up to one second's worth (the burst). It may
 * go into debt: what a session already sent cannot be un-read, so it is taken in full and paid
 * back before the session is read again. Times are {@link System#nanoTime()} values passed in,
 * so tests need no clock. Not thread-safe: its owner synchronizes.
 */
final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1e9;

    private final double perSecond;
    private double tokens;
    private long last;

    TokenBucket(double perSecond, long now) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("perSecond must be positive");
        }
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.last = now;
    }

    private void refill(long now) {
        if (now > last) {
            tokens = Math.min(perSecond, tokens + (now - last) * perSecond / NANOS_PER_SECOND);
            last = now;
        }
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
        refill(now);
        return tokens >= perSecond;
    }

    /** Nanoseconds until the debt is paid back; 0 if there is none. */
    long nanosUntilPaid(long now) {
        refill(now);
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perSecond * NANOS_PER_SECOND);
    }
}
