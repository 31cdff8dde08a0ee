package io.github.chatserver.server.storage.retry;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator about an outage as the retry buffer sees it: when writes start to wait, that
 * they still wait (at most every {@link #STILL_DOWN_LOG_NANOS}), and when Redis takes them again.
 * Not thread-safe: used under the lock of {@link RetryRounds}.
 */
final class OutageLog {
    private static final Logger LOG = LoggerFactory.getLogger(RetryBuffer.class);
    private static final long STILL_DOWN_LOG_NANOS = TimeUnit.SECONDS.toNanos(30);

    private long sinceNanos;
    private long lastLogNanos;

    void began(String cause, int capacity) {
        sinceNanos = System.nanoTime();
        lastLogNanos = sinceNanos;
        LOG.warn("Redis did not take a write ({}); keeping writes in memory and retrying (buffer of {} messages)",
                cause, capacity);
    }

    void stillDown(Throwable failure, int reserved, int capacity) {
        long now = System.nanoTime();
        if (now - lastLogNanos >= STILL_DOWN_LOG_NANOS) {
            lastLogNanos = now;
            LOG.warn("Redis still does not take writes after {} s ({}): {} of {} buffer slots in use",
                    TimeUnit.NANOSECONDS.toSeconds(now - sinceNanos), failure, reserved, capacity);
        }
    }

    void ended() {
        LOG.warn("Redis takes writes again: every kept write is stored, {} ms after the first failure",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos));
    }
}
