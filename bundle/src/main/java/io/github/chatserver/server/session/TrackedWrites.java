package io.github.chatserver.server.session;

import io.github.chatserver.codec.EncodedFrame;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;

/**
 * Writes whose outcome is always reported, exactly once. Messages depend on it: a message is
 * stored for later when its write fails, and removed from storage when its write succeeded.
 *
 * <p>MINA reports outcomes through write futures, but they cannot be taken at face value when a
 * session closes: {@code closeNow()} (mina-core 2.2, {@code AbstractIoSession.destroy}) marks
 * every write still queued as <em>written</em> although not a byte of it went out; a write's
 * future sometimes never completes while later writes to the same session do; and a write
 * issued from another thread during the close can land in a queue nobody drains any more.
 * So: a completion counts as written only while the session is not closing; a session's writes
 * go out in order, so when one is written every earlier one was too; and once
 * {@code sessionClosed} ran, whatever is not settled was not written. At the moment of a close
 * this errs towards "not written": the message is stored and served again, never lost.
 */
public final class TrackedWrites {
    private static final AttributeKey KEY = new AttributeKey(TrackedWrites.class, "writes");

    /** The writes not yet settled, in the order they were issued. */
    private final ConcurrentSkipListMap<Long, Tracked> pending = new ConcurrentSkipListMap<>();
    private final AtomicLong order = new AtomicLong();
    private volatile boolean closed;

    private static TrackedWrites of(IoSession session) {
        TrackedWrites writes = (TrackedWrites) session.getAttribute(KEY);
        if (writes == null) {
            writes = new TrackedWrites();
            TrackedWrites raced = (TrackedWrites) session.setAttributeIfAbsent(KEY, writes);
            if (raced != null) {
                writes = raced;
            }
        }
        return writes;
    }

    /**
     * Writes the frame; {@code outcome} receives {@code true} once all its bytes were written,
     * {@code false} otherwise. The frame goes down as one ready buffer, which the codec filter
     * passes through as a single write request.
     */
    public static void write(IoSession session, EncodedFrame frame, Consumer<Boolean> outcome) {
        TrackedWrites writes = of(session);
        Tracked tracked;
        WriteFuture future;
        // Issue order must be queue order: number and enqueue the write under one lock.
        synchronized (writes) {
            tracked = new Tracked(writes, writes.order.incrementAndGet(), outcome);
            writes.pending.put(tracked.order, tracked);
            future = session.write(frame.toBuffer());
        }
        future.addListener(f -> {
            if (future.isWritten() && !session.isClosing()) {
                writes.writtenUpTo(tracked.order);
            } else {
                tracked.settle(false);
            }
        });
        if (writes.closed && !future.isDone()) {
            tracked.settle(false); // issued while the session closed: MINA may never complete it
        }
    }

    /**
     * Runs {@code action} holding the lock under which tracked writes to the session are issued:
     * what it writes is queued before any tracked write issued meanwhile (a login answer before
     * the first message routed to the session it registers).
     */
    public static void exclusively(IoSession session, Runnable action) {
        synchronized (of(session)) {
            action.run();
        }
    }

    /** Call from {@code sessionClosed}: what has not completed by now never will. */
    public static void sessionClosed(IoSession session) {
        TrackedWrites writes = of(session);
        writes.closed = true;
        for (Tracked t : writes.pending.values()) {
            t.settle(false);
        }
    }

    /** A write completed: it and every write issued before it went out. */
    private void writtenUpTo(long last) {
        for (Map.Entry<Long, Tracked> e : pending.headMap(last, true).entrySet()) {
            e.getValue().settle(true);
        }
    }

    private static final class Tracked {
        private final TrackedWrites owner;
        private final long order;
        private final Consumer<Boolean> outcome;
        private final AtomicBoolean settled = new AtomicBoolean();

        Tracked(TrackedWrites owner, long order, Consumer<Boolean> outcome) {
            this.owner = owner;
            this.order = order;
            this.outcome = outcome;
        }

        void settle(boolean written) {
            if (settled.compareAndSet(false, true)) {
                owner.pending.remove(order);
                outcome.accept(written);
            }
        }
    }
}
