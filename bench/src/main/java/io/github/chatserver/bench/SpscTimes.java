package io.github.chatserver.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The send times of the messages one connection has in flight, oldest first: pushed by the
 * thread that sends, taken by the thread that receives (the server keeps each connection's
 * messages in order, so the n-th arrival is the n-th send). One producer, one consumer, no
 * locks, no allocation.
 */
final class SpscTimes {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(SpscTimes.class, "head", long.class);
            TAIL = MethodHandles.lookup().findVarHandle(SpscTimes.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] times;
    private final int mask;
    @SuppressWarnings("unused")
    private volatile long head;
    @SuppressWarnings("unused")
    private volatile long tail;

    SpscTimes(int minCapacity) {
        int cap = Integer.highestOneBit(Math.max(2, minCapacity - 1)) << 1;
        times = new long[cap];
        mask = cap - 1;
    }

    /** Adds a send time; false if the ring is full. */
    boolean push(long nanos) {
        long t = (long) TAIL.getAcquire(this);
        if (t - (long) HEAD.getAcquire(this) >= times.length) {
            return false;
        }
        times[(int) (t & mask)] = nanos;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** The oldest send time, or -1 if none is in flight. */
    long poll() {
        long h = (long) HEAD.getAcquire(this);
        if (h >= (long) TAIL.getAcquire(this)) {
            return -1;
        }
        long v = times[(int) (h & mask)];
        HEAD.setRelease(this, h + 1);
        return v;
    }

    int size() {
        return (int) ((long) TAIL.getAcquire(this) - (long) HEAD.getAcquire(this));
    }

    int capacity() {
        return times.length;
    }
}
