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
 * <p>A write counts as written only when MINA fires {@code messageSent} for it (the handler
 * forwards that event here): write futures cannot be taken at face value, because mina-core
 * 2.2's {@code closeNow()} ({@code AbstractIoSession.destroy}) marks every write still queued as
 * <em>written</em> although not a byte of it went out, and fires no event for them. A session's
 * writes go out in order, so a {@code messageSent} also confirms every write issued before it
 * (we have seen a single notification go missing while later ones came). A write whose future
 * fails, or that is not confirmed when {@code sessionClosed} runs, was not written: the message is
 * stored and served again, never lost.
 */
public final class TrackedWrites {
    private static final AttributeKey KEY = new AttributeKey(TrackedWrites.class, "writes");

    /** The writes not yet settled, in the order they were issued. */
    private final ConcurrentSkipListMap<Long, Tracked> pending = new ConcurrentSkipListMap<>();
    private final AtomicLong order = new AtomicLong();
    private volatile boolean closed;

    private static TrackedWrites of(IoSession session) {
        return SessionAttributes.getOrCreate(session, KEY, TrackedWrites::new);
    }

    /**
     * Writes the frame; {@code outcome} receives {@code true} once all its bytes were written,
     * {@code false} otherwise. The frame goes down as one message; the codec of the session's
     * listener writes it, in that listener's cipher, as a single write request (the caller's).
     */
    public static void write(IoSession session, EncodedFrame frame, Consumer<Boolean> outcome) {
        TrackedWrites writes = of(session);
        Tracked tracked;
        WriteFuture future;
        // Issue order must be queue order: number and enqueue the write under one lock.
        synchronized (writes) {
            tracked = new Tracked(writes, writes.order.incrementAndGet(), frame, outcome);
            writes.pending.put(tracked.order, tracked);
            future = session.write(frame);
        }
        future.addListener(f -> {
            if (!future.isWritten()) {
                tracked.settle(false); // a "written" future proves nothing; messageSent does
            }
        });
        if (writes.closed && !future.isDone()) {
            tracked.settle(false); // issued while the session closed: MINA may never complete it
        }
    }

    /** Call from the handler's {@code messageSent}: that write, and every earlier one, went out. */
    public static void messageSent(IoSession session, Object message) {
        TrackedWrites writes = of(session);
        for (Tracked t : writes.pending.values()) {
            if (t.frame == message) {
                writes.writtenUpTo(t.order);
                return;
            }
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

    /** Call from {@code sessionClosed}: what has not been confirmed by now never will be. */
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
        private final EncodedFrame frame;
        private final Consumer<Boolean> outcome;
        private final AtomicBoolean settled = new AtomicBoolean();

        Tracked(TrackedWrites owner, long order, EncodedFrame frame, Consumer<Boolean> outcome) {
            this.owner = owner;
            this.order = order;
            this.frame = frame;
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
