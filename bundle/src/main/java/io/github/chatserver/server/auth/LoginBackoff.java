package io.github.chatserver.server.auth;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How long the answer to a failed login waits, per source address: {@code base} for the first
 * recent failure, doubled for each further one, at most {@code max}. An address is forgotten once
 * it has had no failure for {@link #FORGET_AFTER}. Successful logins are never delayed and do not
 * reset the count (one valid account must not let an address guess others at full speed).
 * Kept in memory, per node; at most {@link #MAX_TRACKED} addresses are remembered.
 */
public final class LoginBackoff {
    public static final Duration FORGET_AFTER = Duration.ofMinutes(1);
    static final int MAX_TRACKED = 100_000;

    private final long baseNanos;
    private final long maxNanos;
    private final long forgetNanos;
    private final LongSupplier clock;
    private final Map<String, Record> byAddress = new ConcurrentHashMap<>();

    /** Recent failures of one address. */
    private record Record(int failures, long lastFailure) {
    }

    public LoginBackoff(Duration base, Duration max) {
        this(base, max, FORGET_AFTER, System::nanoTime);
    }

    LoginBackoff(Duration base, Duration max, Duration forgetAfter, LongSupplier nanoClock) {
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.forgetNanos = forgetAfter.toNanos();
        this.clock = nanoClock;
    }

    /** Records a failed login from the address and returns how long its answer should wait. */
    public Duration failed(String address) {
        long now = clock.getAsLong();
        if (byAddress.size() >= MAX_TRACKED && !byAddress.containsKey(address)) {
            prune();
            if (byAddress.size() >= MAX_TRACKED) {
                return Duration.ofNanos(maxNanos); // under a spray from very many addresses: everyone waits longest
            }
        }
        Record updated = byAddress.compute(address, (a, old) -> {
            int recent = old == null || now - old.lastFailure >= forgetNanos ? 0 : old.failures;
            return new Record(Math.min(recent + 1, 62), now);
        });
        return Duration.ofNanos(delayAfter(updated.failures - 1));
    }

    /** base * 2^previous, capped at max, without overflow. */
    private long delayAfter(int previous) {
        if (baseNanos == 0) {
            return 0;
        }
        if (previous >= 62 || baseNanos > (maxNanos >> previous)) {
            return maxNanos;
        }
        return Math.min(maxNanos, baseNanos << previous);
    }

    /** Forgets the addresses that have been quiet long enough (run periodically). */
    public void prune() {
        long now = clock.getAsLong();
        byAddress.values().removeIf(r -> now - r.lastFailure >= forgetNanos);
    }

    /** How many addresses are remembered (tests, monitoring). */
    public int tracked() {
        return byAddress.size();
    }
}
