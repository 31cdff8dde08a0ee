package io.github.chatserver.bench;

import java.util.List;

/**
 * One end of a pair of connections that send to each other (pingpong, open): a text arriving here
 * was sent by the peer, and the peer's queue of send times says when.
 */
abstract class PairSide extends Conn {
    PairSide peer;
    /** This side's text frame, and that frame repeated, to write several at once. */
    byte[] frame;
    byte[] batch;
    /** When each text not yet delivered to the peer was sent (or was meant to be), in order. */
    final SpscTimes times;

    PairSide(String user, int capacity) {
        super(user);
        times = new SpscTimes(capacity);
    }

    /**
     * Records the latency of a text the peer sent, from the time it queued; false (and an
     * {@code unexpected_text} error) if the peer sent nothing that has not arrived.
     */
    boolean arrived(long now, Metrics metrics) {
        long sentAt = peer.times.poll();
        if (sentAt < 0) {
            metrics.error("unexpected_text");
            return false;
        }
        metrics.latencyNanos(now - sentAt);
        metrics.delivered.increment();
        return true;
    }

    /** Texts sent by these sides and not delivered yet. */
    static long inFlight(List<? extends PairSide> sides) {
        long n = 0;
        for (PairSide s : sides) {
            n += s.times.size();
        }
        return n;
    }
}
