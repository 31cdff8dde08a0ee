package io.github.chatserver.server.storage.retry;

/**
 * The buffer's bound: {@code capacity} slots for messages, and as many again for control writes
 * (removals, presence releases), so that a buffer full of messages never keeps a control write out.
 * A write holds its slots from its admission until Redis took it (or it was given up). A message
 * accepted earlier takes its slots even beyond the capacity ({@link #reserveBeyondCapacity}), so
 * the fill may exceed it for a while; new writes find no room until it is back below.
 */
final class SlotPool {
    private final int capacity;
    // Guarded by this, as is PendingWrite.holds.
    private int messages;
    private int control;

    SlotPool(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative");
        }
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /**
     * Takes the write's slots if its pool has room for them; true if it holds them now (or already
     * did). An empty pool always has room, so that a message with more copies than the capacity (a
     * group larger than the buffer) is not refused for good: the fill is bounded by the capacity or
     * by one write, whichever is larger.
     */
    synchronized boolean tryReserve(PendingWrite<?> w) {
        if (w.holds) {
            return true;
        }
        int held = w.control ? control : messages;
        if (capacity == 0 || held > 0 && held + w.slots > capacity) {
            return false;
        }
        take(w);
        return true;
    }

    /** Takes the write's slots whatever the fill: it was accepted already and must be kept. */
    synchronized void reserveBeyondCapacity(PendingWrite<?> w) {
        if (!w.holds) {
            take(w);
        }
    }

    private void take(PendingWrite<?> w) {
        w.holds = true;
        if (w.control) {
            control += w.slots;
        } else {
            messages += w.slots;
        }
    }

    /** Gives the write's slots back, if it holds any. */
    synchronized void release(PendingWrite<?> w) {
        if (w.holds) {
            w.holds = false;
            if (w.control) {
                control -= w.slots;
            } else {
                messages -= w.slots;
            }
        }
    }

    synchronized int messages() {
        return messages;
    }

    synchronized int control() {
        return control;
    }
}
