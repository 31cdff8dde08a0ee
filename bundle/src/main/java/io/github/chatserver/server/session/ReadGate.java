package io.github.chatserver.server.session;

import java.util.EnumSet;
import java.util.Set;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;

/**
 * Whether a connection is read, decided by several parties at once: the packet sequencer holds
 * reads while too many packets wait ({@link Reason#BACKLOG}), the rate limit while the session is
 * over its rate ({@link Reason#RATE}). Reads are suspended while any reason holds them and
 * resumed only when the last one is released, so one party cannot undo another's suspension.
 */
public final class ReadGate {
    private static final AttributeKey KEY = new AttributeKey(ReadGate.class, "gate");

    /** Why reads are held. */
    public enum Reason {
        /** More packets are waiting to be handled than the sequencer queues. */
        BACKLOG,
        /** The session sent more than its rate allows. */
        RATE
    }

    private final Set<Reason> held = EnumSet.noneOf(Reason.class);

    public static ReadGate of(IoSession session) {
        return SessionAttributes.getOrCreate(session, KEY, ReadGate::new);
    }

    /** Suspends reads for this reason (again holding it changes nothing). */
    public synchronized void hold(IoSession session, Reason reason) {
        // Under the lock, so MINA sees suspend and resume in the order the reasons changed.
        boolean wasOpen = held.isEmpty();
        if (held.add(reason) && wasOpen) {
            session.suspendRead();
        }
    }

    /** Drops this reason; reads resume when no reason remains. */
    public synchronized void release(IoSession session, Reason reason) {
        if (held.remove(reason) && held.isEmpty()) {
            session.resumeRead();
        }
    }

    public synchronized boolean isHeld(Reason reason) {
        return held.contains(reason);
    }
}
