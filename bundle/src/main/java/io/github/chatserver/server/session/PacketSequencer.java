package io.github.chatserver.server.session;

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
 * act out of order. While nothing is pending a packet is handled at once on the I/O thread; a
 * connection that piles up more than {@link #MAX_PENDING} packets stops being read until it
 * catches up (TCP pushes back on the sender). The suspension goes through the session's
 * {@link ReadGate}, so it cooperates with the rate limit's.
 */
final class PacketSequencer {
    private static final Logger LOG = LoggerFactory.getLogger(PacketSequencer.class);
    static final int MAX_PENDING = 64;

    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private int pending;
    private boolean holding;

    void submit(IoSession session, Supplier<? extends CompletionStage<?>> task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> previous;
        synchronized (this) {
            previous = tail;
            tail = done;
            if (++pending > MAX_PENDING && !holding) {
                holding = true;
                ReadGate.of(session).hold(session, ReadGate.Reason.BACKLOG);
            }
        }
        done.whenComplete((ignored, failure) -> finished(session));
        previous.whenComplete((ignored, failure) -> run(task, done));
    }

    private static void run(Supplier<? extends CompletionStage<?>> task, CompletableFuture<Void> done) {
        try {
            task.get().whenComplete((ignored, failure) -> done.complete(null));
        } catch (RuntimeException e) {
            LOG.error("Unexpected error handling a packet", e);
            done.complete(null);
        }
    }

    private void finished(IoSession session) {
        synchronized (this) {
            pending--;
            if (holding && pending == 0) {
                holding = false;
                ReadGate.of(session).release(session, ReadGate.Reason.BACKLOG);
            }
        }
    }
}
