package io.github.chatserver.server.storage.retry;

/**
 * The buffer's bound: {@code capacity} slots for messages, and as many again for control writes
 * (removals, presence releases), so that a buffer full of messages never keeps a control write out.
 * A write holds its slots from its admission until Redis took it (or it was given up).
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

    /** Takes the write's slots if its pool has room for them; true if it holds them now (or already did). */
    synchronized boolean tryReserve(PendingWrite<?> w) {
        if (w.holds) {
            return true;
        }
        if ((w.control ? control : messages) + w.slots > capacity) {
            return false;
        }
        w.holds = true;
        if (w.control) {
            control += w.slots;
        } else {
            messages += w.slots;
        }
        return true;
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
