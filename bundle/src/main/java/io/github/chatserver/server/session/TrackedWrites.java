package io.github.chatserver.server.session;

import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.codec.FrameBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;

/**
 * Writes whose outcome is always reported, exactly once, and which are coalesced: frames queued
 * for one session go down as one {@link FrameBatch}. Messages depend on the outcome: a message is
 * stored for later when its write fails, and removed from storage when its write succeeded.
 *
 * <p><b>Outcome.</b> A write counts as written only when MINA fires {@code messageSent} for it (the
 * handler forwards that event here): write futures cannot be taken at face value, because mina-core
 * 2.2's {@code closeNow()} ({@code AbstractIoSession.destroy}) marks every write still queued as
 * <em>written</em> although not a byte of it went out, and fires no event for them. A session's
 * writes go out in order, so a {@code messageSent} also confirms every batch issued before it (we
 * have seen a single notification go missing while later ones came). A batch whose future fails,
 * or that is not confirmed when {@code sessionClosed} runs, was not written: its messages are
 * stored and served again, never lost.
 *
 * <p><b>Coalescing.</b> A frame is first queued here ("unsent"); whoever makes that queue non-empty
 * flushes it: at once, or, on a thread that is handling a read ({@link WriteCoalescing}), when that
 * read has been handled. So the frames one read routes to a recipient (ten texts a client sent in
 * one burst, say) reach it in one write, and a frame from any other thread never waits longer than
 * the read in progress. Every write to the session goes through the same queue in call order, so
 * coalescing never reorders: writes that are not tracked use {@link #writeInOrder}. When a
 * connection closes part-way through a batch, the frames of it that the socket took whole count as
 * written ({@link FrameBatch#framesConsumed}), so no more is served again than without batches:
 * at most the one frame cut in the middle.
 */
public final class TrackedWrites {
    private static final AttributeKey KEY = new AttributeKey(TrackedWrites.class, "writes");

    // All guarded by this.
    private List<EncodedFrame> unsentFrames = new ArrayList<>(4);
    private List<Consumer<Boolean>> unsentOutcomes = new ArrayList<>(4);
    /** Batches handed to MINA and not yet settled, in the order they were issued. */
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    private boolean closed;
    /** Frames handed to MINA so far, in batches. */
    private long framesIssued;
    /** Frames confirmed written beyond one per batch: what MINA's count of written messages misses. */
    private long framesBeyondWrites;

    /**
     * False on TLS connections: SslFilter encrypts a batch into a buffer of its own at once, so how
     * far the socket got into a batch cannot be told, and a connection closed part-way through one
     * would have its whole batch served again. There, every frame is a write of its own, as before.
     */
    private final boolean coalesce;

    private TrackedWrites(boolean coalesce) {
        this.coalesce = coalesce;
    }

    private static TrackedWrites of(IoSession session) {
        return SessionAttributes.getOrCreate(session, KEY,
                () -> new TrackedWrites(!session.getFilterChain().contains(SslFilter.class)));
    }

    /**
     * Queues the frame; {@code outcome} receives {@code true} once all its bytes were written,
     * {@code false} otherwise. It goes out with whatever else is queued for the session, as one
     * write request, in the cipher of the session's listener.
     */
    public static void write(IoSession session, EncodedFrame frame, Consumer<Boolean> outcome) {
        TrackedWrites writes = of(session);
        if (!writes.coalesce) {
            writes.writeAlone(session, frame, outcome);
            return;
        }
        boolean queued;
        boolean first = false;
        synchronized (writes) {
            queued = !writes.closed;
            if (queued) {
                writes.unsentFrames.add(frame);
                writes.unsentOutcomes.add(outcome);
                first = writes.unsentFrames.size() == 1;
            }
        }
        if (!queued) {
            outcome.accept(false); // the session has closed
        } else if (first && !WriteCoalescing.defer(session)) {
            flush(session);
        }
    }

    /** A frame as a write of its own (no coalescing). */
    private void writeAlone(IoSession session, EncodedFrame frame, Consumer<Boolean> outcome) {
        Batch batch;
        WriteFuture future;
        synchronized (this) {
            if (closed) {
                batch = null;
                future = null;
            } else {
                unsentFrames.add(frame);
                unsentOutcomes.add(outcome);
                batch = takeUnsent();
                future = session.write(batch.message);
            }
        }
        if (batch == null) {
            outcome.accept(false); // the session has closed
        } else {
            watch(this, batch, future);
        }
    }

    /** Writes what is queued for the session, as one batch. Called by whoever queued first (above) or by the read's end. */
    static void flush(IoSession session) {
        TrackedWrites writes = of(session);
        Batch batch;
        WriteFuture future;
        synchronized (writes) {
            batch = writes.takeUnsent();
            if (batch == null) {
                return;
            }
            future = session.write(batch.message);
        }
        watch(writes, batch, future);
    }

    /** Issues the queued frames (caller holds the lock); null if none. */
    private Batch takeUnsent() {
        if (unsentFrames.isEmpty()) {
            return null;
        }
        Batch batch = new Batch(new FrameBatch(unsentFrames), unsentOutcomes);
        framesIssued += unsentFrames.size();
        unsentFrames = new ArrayList<>(4);
        unsentOutcomes = new ArrayList<>(4);
        inFlight.add(batch);
        return batch;
    }

    private static void watch(TrackedWrites writes, Batch batch, WriteFuture future) {
        future.addListener(f -> {
            if (!future.isWritten()) {
                writes.failed(batch); // a "written" future proves nothing; messageSent does
            }
        });
    }

    /**
     * Writes a message that is not tracked (an answer, a notice) behind everything queued for the
     * session so far: coalescing must not let it overtake frames queued before it.
     */
    public static void writeInOrder(IoSession session, Object message) {
        exclusively(session, () -> session.write(message));
    }

    /**
     * Runs {@code action} holding the lock under which writes to the session are queued and issued,
     * after issuing what is queued: what it writes goes out behind everything queued before it and
     * before any tracked write queued meanwhile (a login answer before the first message routed to
     * the session it registers).
     */
    public static void exclusively(IoSession session, Runnable action) {
        TrackedWrites writes = of(session);
        Batch batch;
        WriteFuture future = null;
        synchronized (writes) {
            batch = writes.takeUnsent();
            if (batch != null) {
                future = session.write(batch.message);
            }
            action.run();
        }
        if (batch != null) {
            watch(writes, batch, future);
        }
    }

    /** Call from the handler's {@code messageSent}: that batch, and every earlier one, went out. */
    public static void messageSent(IoSession session, Object message) {
        if (!(message instanceof FrameBatch)) {
            return;
        }
        TrackedWrites writes = of(session);
        List<Batch> written = new ArrayList<>(1);
        synchronized (writes) {
            boolean known = false;
            for (Batch b : writes.inFlight) {
                if (b.message == message) {
                    known = true;
                    break;
                }
            }
            while (known) {
                Batch b = writes.inFlight.poll();
                writes.framesBeyondWrites += b.outcomes.size() - 1;
                written.add(b);
                known = b.message != message;
            }
        }
        for (Batch b : written) {
            b.settle(true);
        }
    }

    /** Tracked frames handed to MINA for the session so far (written, or queued in its write queue). */
    public static long framesIssued(IoSession session) {
        TrackedWrites writes = of(session);
        synchronized (writes) {
            return writes.framesIssued;
        }
    }

    /**
     * Packets written to the session so far: MINA counts a batch as one written message, whatever
     * number of frames it carried.
     */
    public static long packetsWritten(IoSession session) {
        TrackedWrites writes = of(session);
        synchronized (writes) {
            return session.getWrittenMessages() + writes.framesBeyondWrites;
        }
    }

    /** Tracked frames handed to MINA and not confirmed written yet. */
    public static long framesInFlight(IoSession session) {
        TrackedWrites writes = of(session);
        synchronized (writes) {
            long n = 0;
            for (Batch b : writes.inFlight) {
                n += b.outcomes.size();
            }
            return n;
        }
    }

    /** Call from {@code sessionClosed}: what has not been confirmed by now never will be. */
    public static void sessionClosed(IoSession session) {
        TrackedWrites writes = of(session);
        List<Batch> unwritten;
        List<Consumer<Boolean>> unsent;
        synchronized (writes) {
            writes.closed = true;
            unwritten = new ArrayList<>(writes.inFlight);
            writes.inFlight.clear();
            unsent = writes.unsentOutcomes;
            writes.unsentFrames = new ArrayList<>(0);
            writes.unsentOutcomes = new ArrayList<>(0);
        }
        for (Batch b : unwritten) {
            writes.settleUnconfirmed(b);
        }
        for (Consumer<Boolean> outcome : unsent) {
            outcome.accept(false);
        }
    }

    private void failed(Batch batch) {
        boolean mine;
        synchronized (this) {
            mine = inFlight.remove(batch);
        }
        if (mine) {
            settleUnconfirmed(batch);
        }
    }

    /**
     * A batch MINA did not confirm: the frames the socket took whole before the connection closed or
     * the write failed went out (as a confirmed write would have); the rest did not.
     */
    private void settleUnconfirmed(Batch batch) {
        int consumed = coalesce ? batch.message.framesConsumed() : 0;
        List<Consumer<Boolean>> outcomes = batch.outcomes;
        for (int i = 0; i < outcomes.size(); i++) {
            outcomes.get(i).accept(i < consumed);
        }
    }

    /** One write request: the frames and, in the same order, their outcomes. Settled once, by whoever removed it from inFlight. */
    private record Batch(FrameBatch message, List<Consumer<Boolean>> outcomes) {
        void settle(boolean written) {
            for (Consumer<Boolean> outcome : outcomes) {
                outcome.accept(written);
            }
        }
    }
}
