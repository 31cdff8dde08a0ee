package io.github.chatserver.server.storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Order of offline messages: a number taken when the server accepts a message, strictly
 * increasing on this node and close to wall-clock time (milliseconds x 1000) across nodes.
 * Taking it at acceptance, not at storage, keeps send order even when a failed online write
 * falls back to storage after later messages were stored, and whatever order Redis executes
 * pooled commands in. It stays below 2^53, so a sorted-set score (a double) holds it exactly.
 */
public final class SequenceGenerator {
    private final AtomicLong last = new AtomicLong();

    public long next() {
        long floor = System.currentTimeMillis() * 1000;
        return last.accumulateAndGet(floor, (previous, clock) -> Math.max(previous + 1, clock));
    }

    /**
     * When the message numbered {@code seq} was accepted, in epoch milliseconds: what its expiry
     * counts from, whenever it is actually written (a retry after an outage writes the same entry).
     */
    public static long acceptedAtMillis(long seq) {
        return seq / 1000;
    }
}
