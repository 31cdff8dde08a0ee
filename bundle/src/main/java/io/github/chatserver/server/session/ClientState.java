package io.github.chatserver.server.session;

import io.github.chatserver.server.storage.OfflineStore;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;

/**
 * What the server knows about one connection, kept in a single session attribute: who it is,
 * where its login stands, which deliveries of stored messages run, and the sequencer that keeps
 * its packets in order.
 */
public final class ClientState {
    private static final AttributeKey KEY = new AttributeKey(ClientState.class, "state");

    public enum Phase { NEW, LOGGING_IN, ACTIVE }

    private Phase phase = Phase.NEW;
    private String user;
    private String presenceMarker;
    private long loggedInAtMillis;
    /** Decoded packets: MINA's getReadMessages() counts only raw buffers, so 0 behind a codec. */
    private final LongAdder packetsReceived = new LongAdder();
    private ScheduledFuture<?> loginTimeout;
    private final PacketSequencer sequencer = new PacketSequencer();
    private final Set<OfflineStore.Kind> delivering = EnumSet.noneOf(OfflineStore.Kind.class);

    public static ClientState of(IoSession session) {
        return SessionAttributes.getOrCreate(session, KEY, ClientState::new);
    }

    /** The logged-in user, or {@code null} before login completed. */
    public synchronized String user() {
        return phase == Phase.ACTIVE ? user : null;
    }

    /** Counts one decoded packet from the client (any type, before any check). */
    public void packetReceived() {
        packetsReceived.increment();
    }

    /** Packets received on this connection so far, the login included. */
    public long packetsReceived() {
        return packetsReceived.sum();
    }

    /** When the login completed (epoch milliseconds), 0 before. */
    public synchronized long loggedInAtMillis() {
        return phase == Phase.ACTIVE ? loggedInAtMillis : 0;
    }

    public synchronized String presenceMarker() {
        return presenceMarker;
    }

    /** Moves NEW to LOGGING_IN; false if a login was already made on this connection. */
    public synchronized boolean beginLogin() {
        if (phase != Phase.NEW) {
            return false;
        }
        phase = Phase.LOGGING_IN;
        return true;
    }

    public synchronized void activate(String uuid, String marker) {
        user = uuid;
        presenceMarker = marker;
        loggedInAtMillis = System.currentTimeMillis();
        phase = Phase.ACTIVE;
        if (loginTimeout != null) {
            loginTimeout.cancel(false);
        }
    }

    /** Runs the handling of one packet after every packet before it was handled (see {@link PacketSequencer}). */
    public void inOrder(IoSession session, Supplier<? extends CompletionStage<?>> handling) {
        sequencer.submit(session, handling);
    }

    /** Marks a delivery of stored messages as running; false if one of that kind already runs. */
    public synchronized boolean startDelivery(OfflineStore.Kind kind) {
        return delivering.add(kind);
    }

    public synchronized void endDelivery(OfflineStore.Kind kind) {
        delivering.remove(kind);
    }

    public synchronized void loginTimeout(ScheduledFuture<?> future) {
        loginTimeout = future;
    }

    public synchronized void cancelLoginTimeout() {
        if (loginTimeout != null) {
            loginTimeout.cancel(false);
        }
    }
}
