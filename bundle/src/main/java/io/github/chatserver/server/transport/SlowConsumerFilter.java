package io.github.chatserver.server.transport;

import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.stats.ThrottledLog;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteException;
import org.apache.mina.core.write.WriteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a session that does not read what it is sent. When a write would take the bytes queued
 * for it ({@link IoSession#getScheduledWriteBytes()}) past {@code maxQueuedOutboundBytes}, that
 * write and every later one fails at once (a tracked write then stores its message offline, in
 * send order after the ones already queued), and the session is closed: once its queue has been
 * written ({@code closeOnFlush}), or when {@code throttleGrace} is over.
 *
 * <p>How it is closed matters, so that nothing is sent twice and nothing is skipped. MINA's
 * {@code closeNow()} drops the queue and marks it written; called from another thread while
 * the session's I/O thread is still writing that queue to a reader that drains slowly, the
 * reader would get some queued messages and not others (which then come again from storage, out
 * of order). So once the grace is over, a session that still drains is closed on its own I/O
 * thread, right after a write completed ({@code messageSent}); the timer closes only a session
 * that made no progress at all since its last look, whose I/O thread writes nothing.
 * Sits right below the codec, where every write is one encoded frame.
 */
public final class SlowConsumerFilter extends IoFilterAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SlowConsumerFilter.class);
    private static final AttributeKey OVERFLOW = new AttributeKey(SlowConsumerFilter.class, "overflow");
    private static final long MIN_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private volatile long maxQueuedBytes;
    private volatile long graceNanos;
    private final ServerStats stats;
    private final ScheduledExecutorService timers;
    private final ThrottledLog log = new ThrottledLog(LOG, 20);

    /** A session over the cap: when its grace ends, and whether it wrote anything since the timer's last look. */
    private static final class Overflow {
        final long deadline;
        volatile boolean progressed;

        Overflow(long deadline) {
            this.deadline = deadline;
        }
    }

    public SlowConsumerFilter(long maxQueuedBytes, Duration grace, ServerStats stats, ScheduledExecutorService timers) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.graceNanos = grace.toNanos();
        this.stats = stats;
        this.timers = timers;
    }

    /** New cap and grace for every write from now on (live reconfiguration). */
    public void update(long nextMaxQueuedBytes, Duration nextGrace) {
        maxQueuedBytes = nextMaxQueuedBytes;
        graceNanos = nextGrace.toNanos();
    }

    @Override
    public void filterWrite(NextFilter next, IoSession session, WriteRequest request) throws Exception {
        if (session.containsAttribute(OVERFLOW)) {
            fail(request);
            return;
        }
        if (request.getMessage() instanceof IoBuffer buffer
                && session.getScheduledWriteBytes() + (long) buffer.remaining() > maxQueuedBytes) {
            Overflow overflow = new Overflow(System.nanoTime() + graceNanos);
            if (session.setAttributeIfAbsent(OVERFLOW, overflow) == null) {
                overflowed(session, overflow);
            }
            fail(request);
            return;
        }
        next.filterWrite(session, request);
    }

    /** On the session's I/O thread, right after one of its writes completed. */
    @Override
    public void messageSent(NextFilter next, IoSession session, WriteRequest request) throws Exception {
        Overflow overflow = (Overflow) session.getAttribute(OVERFLOW);
        if (overflow != null) {
            overflow.progressed = true;
            if (System.nanoTime() - overflow.deadline >= 0) {
                session.closeNow(); // the grace is over and it still has not taken its queue
            }
        }
        next.messageSent(session, request);
    }

    private void overflowed(IoSession session, Overflow overflow) {
        stats.increment(Counter.SLOW_CONSUMERS_CLOSED);
        log.warn("Closing {} (user '{}'): it does not read; {} bytes wait to be written to it",
                session.getRemoteAddress(), ClientState.of(session).user(), session.getScheduledWriteBytes());
        if (graceNanos == 0) {
            session.closeNow();
            return;
        }
        session.closeOnFlush();
        look(session, overflow, graceNanos);
    }

    /** The timer's look: a session that wrote nothing since the last look is stuck and closed here. */
    private void look(IoSession session, Overflow overflow, long delayNanos) {
        try {
            timers.schedule(() -> {
                if (!session.isConnected() || session.isClosing()) {
                    return;
                }
                if (overflow.progressed) {
                    overflow.progressed = false; // still draining: its next completed write closes it
                    look(session, overflow, Math.max(MIN_LOOK_NANOS, graceNanos / 4));
                } else {
                    session.closeNow(); // stuck: its I/O thread has nothing it could write
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            session.closeNow();
        }
    }

    private static void fail(WriteRequest request) {
        request.getFuture().setException(new WriteException(request, "slow consumer: the write queue is full"));
    }
}
