package io.github.chatserver.server.storage.retry;

/** The delay before the next retry round: doubled after every failed round, up to a maximum. Not thread-safe. */
final class Backoff {
    /** Delay before the first retry after a failure. */
    static final long FIRST_MILLIS = 200;
    /** Longest delay between retry rounds: Redis is back in service at most this long after it returns. */
    static final long MAX_MILLIS = 2_000;

    private long millis = FIRST_MILLIS;

    /** Back to the first delay (Redis answered); returns it. */
    long reset() {
        millis = FIRST_MILLIS;
        return millis;
    }

    /** A round failed: the next delay, twice the last one, at most {@link #MAX_MILLIS}. */
    long grow() {
        millis = Math.min(millis * 2, MAX_MILLIS);
        return millis;
    }
}
