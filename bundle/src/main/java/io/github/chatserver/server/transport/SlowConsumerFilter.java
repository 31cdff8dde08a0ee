package io.github.chatserver.server.transport;

import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.stats.ThrottledLog;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteException;
import org.apache.mina.core.write.WriteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a session that does not read what it is sent: when a write would take the bytes
 * queued for it ({@link IoSession#getScheduledWriteBytes()}) past {@code maxQueuedOutboundBytes},
 * that write fails and the session is closed. Nothing is lost by it: a tracked write that did
 * not complete reports so ({@code session/TrackedWrites}), and its message is stored offline.
 * Sits right above the codec, where every write is one encoded frame.
 */
public final class SlowConsumerFilter extends IoFilterAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SlowConsumerFilter.class);
    private static final AttributeKey CLOSED = new AttributeKey(SlowConsumerFilter.class, "closed");

    private final long maxQueuedBytes;
    private final ServerStats stats;
    private final ThrottledLog log = new ThrottledLog(LOG, 20);

    public SlowConsumerFilter(long maxQueuedBytes, ServerStats stats) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.stats = stats;
    }

    @Override
    public void filterWrite(NextFilter next, IoSession session, WriteRequest request) throws Exception {
        if (request.getMessage() instanceof IoBuffer buffer
                && session.getScheduledWriteBytes() + (long) buffer.remaining() > maxQueuedBytes) {
            if (session.setAttributeIfAbsent(CLOSED, Boolean.TRUE) == null) {
                stats.increment(Counter.SLOW_CONSUMERS_CLOSED);
                log.warn("Closing {} (user '{}'): it does not read; {} bytes wait to be written to it",
                        session.getRemoteAddress(), ClientState.of(session).user(), session.getScheduledWriteBytes());
            }
            request.getFuture().setException(new WriteException(request, "slow consumer: write queue full"));
            session.closeNow();
            return;
        }
        next.filterWrite(session, request);
    }
}
