package io.github.chatserver.server.transport;

import io.github.chatserver.server.config.OverloadSettings;
import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.session.ReadGate;
import io.github.chatserver.server.session.SessionAttributes;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.stats.ThrottledLog;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How fast one session may send: a token bucket for packets and one for bytes, each refilled at
 * its configured rate per second with a burst of one second. What was read is always passed on
 * (it cannot be un-read) and taken from the buckets even into debt; a session in debt is not
 * read ({@link ReadGate.Reason#RATE}) until the debt is paid, which the server's timer checks.
 * A session that stays over its rate (every read since it first went over ended in debt) for
 * longer than {@code throttleGrace} is closed. Sits between TLS and the codec: it sees the
 * plain byte stream and counts frames by their headers ({@link FrameCounter}).
 */
public final class RateLimitFilter extends IoFilterAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimitFilter.class);
    private static final AttributeKey RATE = new AttributeKey(RateLimitFilter.class, "rate");

    /** Read by every session's buckets at each use, so a live change applies to open sessions at once. */
    private volatile TokenBucket.Rate packetRate;
    private volatile TokenBucket.Rate byteRate;
    private final ServerStats stats;
    private final ScheduledExecutorService timers;
    private volatile long graceNanos;
    private final ThrottledLog log = new ThrottledLog(LOG, 20);

    public RateLimitFilter(OverloadSettings limits, ServerStats stats, ScheduledExecutorService timers) {
        this.packetRate = TokenBucket.Rate.perSecond(limits.packetsPerSecond());
        this.byteRate = TokenBucket.Rate.perSecond(limits.bytesPerSecond());
        this.stats = stats;
        this.timers = timers;
        this.graceNanos = limits.throttleGrace().toNanos();
    }

    /**
     * New limits (live reconfiguration): they apply to every session at once, open ones included
     * (a bucket keeps its tokens, capped at once at a lower burst, and refills at the new rate).
     */
    public void update(OverloadSettings next) {
        packetRate = TokenBucket.Rate.perSecond(next.packetsPerSecond());
        byteRate = TokenBucket.Rate.perSecond(next.bytesPerSecond());
        graceNanos = next.throttleGrace().toNanos();
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        if (message instanceof IoBuffer buffer && !rate(session).admit(session, buffer)) {
            return; // closed for its rate: what it sent is not acted on
        }
        next.messageReceived(session, message);
    }

    @Override
    public void sessionClosed(NextFilter next, IoSession session) throws Exception {
        SessionRate rate = (SessionRate) session.getAttribute(RATE);
        if (rate != null) {
            rate.closed();
        }
        next.sessionClosed(session);
    }

    private SessionRate rate(IoSession session) {
        return SessionAttributes.getOrCreate(session, RATE, () -> new SessionRate(System.nanoTime()));
    }

    /** One session's buckets and throttle state. Read on its I/O thread, checked on the timer. */
    private final class SessionRate {
        private final TokenBucket packets;
        private final TokenBucket bytes;
        private final FrameCounter frames = new FrameCounter();
        /** Since when every read ended in debt; meaningful while {@link #over}. */
        private long overSince;
        private boolean over;
        /** Reads are held by us; a timer task will check again. */
        private boolean held;
        private boolean done;
        private ScheduledFuture<?> check;

        SessionRate(long now) {
            packets = new TokenBucket(() -> packetRate, now);
            bytes = new TokenBucket(() -> byteRate, now);
        }

        /** Accounts for a buffer read from the session; false if the session is closed for it. */
        synchronized boolean admit(IoSession session, IoBuffer buffer) {
            if (done) {
                return false;
            }
            long now = System.nanoTime();
            packets.take(frames.count(buffer), now);
            bytes.take(buffer.remaining(), now);
            long debt = nanosUntilPaid(now);
            if (debt == 0) {
                over = false;
                return true;
            }
            if (!over) {
                over = true;
                overSince = now;
            }
            long graceLeft = graceNanos - (now - overSince);
            if (graceLeft <= 0) {
                close(session);
                return false;
            }
            if (!held) {
                held = true;
                ReadGate.of(session).hold(session, ReadGate.Reason.RATE);
                stats.increment(Counter.SESSIONS_THROTTLED);
                log.warn("{} (user '{}') sends over its rate of {} packets/s, {} bytes/s: not read for {} ms",
                        session.getRemoteAddress(), ClientState.of(session).user(), (long) packetRate.perSecond(),
                        (long) byteRate.perSecond(), TimeUnit.NANOSECONDS.toMillis(Math.min(debt, graceLeft)));
                schedule(session, Math.min(debt, graceLeft));
            }
            return true; // read before the suspension took effect: the debt grows, the next check sees it
        }

        /** The timer's look: debt paid, read again; grace over while in debt, close; else look again later. */
        private synchronized void check(IoSession session) {
            if (done || !held) {
                return;
            }
            long now = System.nanoTime();
            long debt = nanosUntilPaid(now);
            long graceLeft = graceNanos - (now - overSince);
            if (debt == 0) {
                held = false;
                ReadGate.of(session).release(session, ReadGate.Reason.RATE);
            } else if (graceLeft <= 0) {
                close(session);
            } else {
                schedule(session, Math.min(debt, graceLeft));
            }
        }

        private void schedule(IoSession session, long delayNanos) {
            try {
                check = timers.schedule(() -> check(session), Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                session.closeNow(); // the server is stopping: nobody would resume it
            }
        }

        private void close(IoSession session) {
            done = true;
            stats.increment(Counter.THROTTLED_CLOSED);
            log.warn("Closing {} (user '{}'): over its rate for longer than throttleGrace ({} ms)",
                    session.getRemoteAddress(), ClientState.of(session).user(), TimeUnit.NANOSECONDS.toMillis(graceNanos));
            session.closeNow();
        }

        synchronized void closed() {
            done = true;
            if (check != null) {
                check.cancel(false);
            }
        }

        private long nanosUntilPaid(long now) {
            return Math.max(packets.nanosUntilPaid(now), bytes.nanosUntilPaid(now));
        }
    }
}
