package io.github.chatserver.bench;

import io.github.chatserver.codec.Packet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

/** One generator connection: its user, its half-read frame, and what a scenario does with packets. */
class Conn {
    static final int MAX_FRAME = 1 << 20;

    final String user;
    volatile IoSession session;
    LoadConnector owner;
    byte[] loginFrame;
    long connectStart;
    volatile boolean loggedIn;
    volatile boolean loginAnswered;
    volatile boolean closed;
    volatile boolean closeExpected;
    volatile String refusal;
    boolean ioThreadKnown;
    /** Packets other than chat texts, for setup steps (build, join, info); null = count them as unexpected. */
    volatile BlockingQueue<Packet> control;
    /** Drop packets other than chat texts silently (notices a scenario does not care about). */
    volatile boolean ignoreControl;

    private byte[] carry = new byte[256];
    int carryLen;
    private IoBuffer carryView;

    Conn(String user) {
        this.user = user;
    }

    /** Whether frames of this type go to {@link #onChat} undecoded. */
    boolean isHot(int type) {
        return type == 5 || type == 8;
    }

    /** A chat text arrived (body still encrypted). Runs on an I/O thread. */
    void onChat(int type, IoBuffer buf, int bodyStart, int bodyLength, long now) {
    }

    /** All frames of one read are handled: the moment to write coalesced replies. */
    void onReadDone(long now) {
    }

    void onLogin(boolean ok, long now) {
    }

    void onPacket(Packet p, long now) {
        BlockingQueue<Packet> q = control;
        if (q != null) {
            q.add(p);
        } else if (!ignoreControl) {
            owner.metrics.error("unexpected_" + p.type().name().toLowerCase());
        }
    }

    void onClosed() {
    }

    void loginDone(boolean ok) {
        if (!loginAnswered) {
            loggedIn = ok;
            loginAnswered = true;
        }
    }

    void write(byte[] bytes) {
        session.write(IoBuffer.wrap(bytes));
    }

    void write(byte[] bytes, int offset, int length) {
        session.write(IoBuffer.wrap(bytes, offset, length));
    }

    /** Captures the packets that are not chat texts from now on. */
    void captureControl() {
        control = new LinkedBlockingQueue<>();
    }

    /** The next captured packet of that type (others are skipped), or an exception after the timeout. */
    <T> T await(Class<T> kind, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            Packet p = left <= 0 ? null : control.poll(left, TimeUnit.NANOSECONDS);
            if (p == null) {
                throw new IllegalStateException(user + ": no " + kind.getSimpleName() + " within " + timeoutMillis + " ms"
                        + (closed ? " (connection closed)" : ""));
            }
            if (kind.isInstance(p.body())) {
                return kind.cast(p.body());
            }
        }
    }

    /**
     * Takes bytes of a frame that straddles reads. Returns true once a whole frame was handled
     * (the caller goes on with the buffer), false if the buffer is used up.
     */
    boolean carry(IoBuffer in, LoadConnector lc, long now) {
        if (carryLen < Frames.HEADER) {
            int n = Math.min(Frames.HEADER - carryLen, in.remaining());
            in.get(carry, carryLen, n);
            carryLen += n;
            if (carryLen < Frames.HEADER) {
                return false;
            }
        }
        int length = Frames.getInt(carry, 0);
        if (length < Frames.HEADER || length > MAX_FRAME) {
            lc.metrics.error("bad_frame_length");
            in.position(in.limit());
            session.closeNow();
            return false;
        }
        if (carry.length < length) {
            carry = java.util.Arrays.copyOf(carry, Integer.highestOneBit(length) << 1);
            carryView = null;
        }
        int n = Math.min(length - carryLen, in.remaining());
        in.get(carry, carryLen, n);
        carryLen += n;
        if (carryLen < length) {
            return false;
        }
        if (carryView == null) {
            carryView = IoBuffer.wrap(carry);
        }
        carryLen = 0;
        lc.handle(this, carryView, 0, length, now);
        return true;
    }
}
