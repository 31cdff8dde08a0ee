package io.github.chatserver.server.session;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one connection's packets strictly in the order they arrived, although handling may
 * wait on Redis: a packet's handling starts when the previous packet's has completed. Without
 * this, a join and the text right behind it, or two texts around a membership lookup, could
 * act out of order. While nothing is pending a packet is handled at once on the I/O thread, and
 * a handling that completes at once (most do: a text to an online user) costs no future; packets
 * that arrive while one waits on Redis queue up and are handled, in order, by whichever thread
 * completes it. A connection that piles up more than {@link #MAX_PENDING} packets stops being read
 * until it catches up (TCP pushes back on the sender). The suspension goes through the session's
 * {@link ReadGate}, so it cooperates with the rate limit's.
 */
final class PacketSequencer {
    private static final Logger LOG = LoggerFactory.getLogger(PacketSequencer.class);
    static final int MAX_PENDING = 64;
    private static final CompletionStage<Void> HANDLED = CompletableFuture.completedFuture(null);

    // Guarded by this.
    private final ArrayDeque<Supplier<? extends CompletionStage<?>>> waiting = new ArrayDeque<>();
    /** A packet is being handled (on some thread, or waiting on Redis). */
    private boolean busy;
    private boolean holding;

    void submit(IoSession session, Supplier<? extends CompletionStage<?>> task) {
        synchronized (this) {
            if (busy) {
                waiting.add(task);
                if (waiting.size() + 1 > MAX_PENDING && !holding) {
                    holding = true;
                    ReadGate.of(session).hold(session, ReadGate.Reason.BACKLOG);
                }
                return;
            }
            busy = true;
        }
        runFrom(session, task);
    }

    /** Handles {@code task} and then what waits behind it, until something has to wait on Redis. */
    private void runFrom(IoSession session, Supplier<? extends CompletionStage<?>> task) {
        while (task != null) {
            CompletionStage<?> stage = start(task);
            if (!stage.toCompletableFuture().isDone()) {
                stage.whenComplete((ignored, failure) -> runFrom(session, next(session)));
                return;
            }
            task = next(session);
        }
    }

    private static CompletionStage<?> start(Supplier<? extends CompletionStage<?>> task) {
        try {
            return task.get();
        } catch (RuntimeException e) {
            LOG.error("Unexpected error handling a packet", e);
            return HANDLED;
        }
    }

    /** The next waiting packet, or null: then nothing is busy, and a held connection is read again. */
    private Supplier<? extends CompletionStage<?>> next(IoSession session) {
        synchronized (this) {
            Supplier<? extends CompletionStage<?>> task = waiting.poll();
            if (task == null) {
                busy = false;
                if (holding) {
                    holding = false;
                    ReadGate.of(session).release(session, ReadGate.Reason.BACKLOG);
                }
            }
            return task;
        }
    }
}
