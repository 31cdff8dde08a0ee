package io.github.chatserver.server.session;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.server.storage.OfflineStore;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ScheduledFuture;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;

/**
 * What the server knows about one connection, kept in a single session attribute. A login is
 * asynchronous (it waits on Redis without blocking the I/O thread); packets that arrive while
 * it is pending are held here and handled, in order, once it completes.
 */
public final class ClientState {
    private static final AttributeKey KEY = new AttributeKey(ClientState.class, "state");
    /** Packets a client may pipeline behind its login before we consider it abusive. */
    public static final int MAX_HELD_PACKETS = 64;

    public enum Phase { NEW, LOGGING_IN, ACTIVE }

    private Phase phase = Phase.NEW;
    private String user;
    private String presenceMarker;
    private ScheduledFuture<?> loginTimeout;
    private final Queue<Packet> held = new ArrayDeque<>();
    private final Set<OfflineStore.Kind> delivering = EnumSet.noneOf(OfflineStore.Kind.class);

    public static ClientState of(IoSession session) {
        ClientState state = (ClientState) session.getAttribute(KEY);
        if (state == null) {
            state = new ClientState();
            ClientState raced = (ClientState) session.setAttributeIfAbsent(KEY, state);
            if (raced != null) {
                state = raced;
            }
        }
        return state;
    }

    public synchronized Phase phase() {
        return phase;
    }

    /** The logged-in user, or {@code null} before login completed. */
    public synchronized String user() {
        return phase == Phase.ACTIVE ? user : null;
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
        phase = Phase.ACTIVE;
        if (loginTimeout != null) {
            loginTimeout.cancel(false);
        }
    }

    /** Holds a packet while the login is pending. False if it was not pending or too much is held. */
    public synchronized boolean holdIfLoggingIn(Packet packet) {
        if (phase != Phase.LOGGING_IN) {
            return false;
        }
        if (held.size() >= MAX_HELD_PACKETS) {
            throw new IllegalStateException("More than " + MAX_HELD_PACKETS + " packets sent before the login answer");
        }
        held.add(packet);
        return true;
    }

    public synchronized boolean isLoggingIn() {
        return phase == Phase.LOGGING_IN;
    }

    /** The next held packet, or {@code null}; called after the login completed. */
    public synchronized Packet nextHeld() {
        return held.poll();
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
