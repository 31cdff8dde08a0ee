package io.github.chatserver.server.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.server.session.ReadGate.Reason;
import org.apache.mina.core.session.DummySession;
import org.junit.jupiter.api.Test;

/** Reads resume only when no reason holds them any more. */
class ReadGateTest {

    @Test
    void readsResumeOnlyWhenTheLastReasonIsReleased() {
        DummySession session = new DummySession();
        ReadGate gate = ReadGate.of(session);

        gate.hold(session, Reason.BACKLOG);
        assertTrue(session.isReadSuspended());
        gate.hold(session, Reason.RATE);
        gate.release(session, Reason.BACKLOG);
        assertTrue(session.isReadSuspended(), "the rate still holds reads");
        gate.release(session, Reason.RATE);
        assertFalse(session.isReadSuspended());
    }

    @Test
    void holdingTwiceForOneReasonNeedsOneRelease() {
        DummySession session = new DummySession();
        ReadGate gate = ReadGate.of(session);

        gate.hold(session, Reason.RATE);
        gate.hold(session, Reason.RATE);
        gate.release(session, Reason.RATE);
        assertFalse(session.isReadSuspended());
        gate.release(session, Reason.BACKLOG); // never held: changes nothing
        assertFalse(session.isReadSuspended());
        assertFalse(gate.isHeld(Reason.RATE));
    }

    @Test
    void oneGatePerSession() {
        DummySession session = new DummySession();
        assertTrue(ReadGate.of(session) == ReadGate.of(session));
    }
}
