package io.github.chatserver.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.mina.core.session.DummySession;
import org.junit.jupiter.api.Test;

/** One connection's packets, handled in arrival order whether their handling completes at once or later. */
class PacketSequencerTest {
    private final DummySession session = new DummySession();
    private final PacketSequencer sequencer = new PacketSequencer();
    private final List<Integer> handled = new ArrayList<>();

    private Supplier<CompletionStage<?>> now(int n) {
        return () -> {
            handled.add(n);
            return CompletableFuture.completedFuture(null);
        };
    }

    private Supplier<CompletionStage<?>> later(int n, CompletableFuture<Void> done) {
        return () -> {
            handled.add(n);
            return done;
        };
    }

    @Test
    void packetsBehindOneThatWaitsAreHandledAfterItInOrder() {
        CompletableFuture<Void> redis = new CompletableFuture<>();
        sequencer.submit(session, now(1));
        sequencer.submit(session, later(2, redis));
        sequencer.submit(session, now(3));
        sequencer.submit(session, now(4));
        assertEquals(List.of(1, 2), handled, "3 and 4 wait for 2");

        redis.complete(null);

        assertEquals(List.of(1, 2, 3, 4), handled);
        sequencer.submit(session, now(5));
        assertEquals(List.of(1, 2, 3, 4, 5), handled, "idle again: handled at once");
    }

    @Test
    void aBacklogStopsReadingUntilItIsHandled() {
        CompletableFuture<Void> redis = new CompletableFuture<>();
        sequencer.submit(session, later(0, redis));
        for (int i = 1; i < PacketSequencer.MAX_PENDING; i++) {
            sequencer.submit(session, now(i));
        }
        assertFalse(session.isReadSuspended(), PacketSequencer.MAX_PENDING + " pending: still read");
        sequencer.submit(session, now(PacketSequencer.MAX_PENDING));
        assertTrue(session.isReadSuspended(), "one more: reading stops");

        redis.complete(null);

        assertFalse(session.isReadSuspended(), "caught up: read again");
        assertEquals(PacketSequencer.MAX_PENDING + 1, handled.size());
    }

    @Test
    void aHandlingThatThrowsDoesNotStopThePacketsBehindIt() {
        CompletableFuture<Void> redis = new CompletableFuture<>();
        sequencer.submit(session, later(1, redis));
        sequencer.submit(session, () -> {
            throw new IllegalStateException("a bug in a handler");
        });
        sequencer.submit(session, now(3));

        redis.completeExceptionally(new IllegalStateException("Redis failed"));

        assertEquals(List.of(1, 3), handled);
    }
}
