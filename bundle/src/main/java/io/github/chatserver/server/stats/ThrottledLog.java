package io.github.chatserver.server.stats;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs at most {@code perMinute} warnings (or errors) a minute and then says how many it held back,
 * so a flood of bad input cannot flood the log. Everything beyond the budget goes to DEBUG.
 */
public final class ThrottledLog {
    private static final long WINDOW_NANOS = 60_000_000_000L;

    private final Logger log;
    private final int perMinute;
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    public ThrottledLog(Logger log, int perMinute) {
        this.log = log;
        this.perMinute = perMinute;
    }

    public void warn(String format, Object... args) {
        if (withinBudget()) {
            log.warn(format, args);
        } else {
            log.debug(format, args);
        }
    }

    /** The same budget, at ERROR: for losses, each of which an operator should see until they flood. */
    public void error(String format, Object... args) {
        if (withinBudget()) {
            log.error(format, args);
        } else {
            log.debug(format, args);
        }
    }

    private boolean withinBudget() {
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start > WINDOW_NANOS && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
            long held = suppressed.getAndSet(0);
            if (held > 0) {
                log.warn("{} similar warnings were suppressed in the last minute", held);
            }
        }
        if (inWindow.incrementAndGet() <= perMinute) {
            return true;
        }
        suppressed.incrementAndGet();
        return false;
    }
}
