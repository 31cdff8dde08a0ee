package io.github.chatserver.server.transport;

import java.io.IOException;
import java.util.concurrent.Executor;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MINA's NIO processor, with its epoll-spin guard rate-limited. The guard rebuilds the selector
 * (a new {@code Selector}, every connection of the processor registered again) after ten quick
 * selects in a row that returned nothing without a {@code wakeup()} it knew of. A wakeup from
 * another thread that lands just after the loop cleared its flag looks exactly like that, and this
 * server wakes processors from other threads all the time (a message written to a connection of
 * another processor, a Redis answer): measured, about 22,000 rebuilds in a 7-second pingpong run and
 * 150,000 in a 12-second offline run, about 14% of the CPU in the profile, each logging a warning.
 * The JDK bug the guard was written for (an epoll selector spinning forever) was fixed in Java 7;
 * should it ever happen, a rebuild at most once a second still ends it.
 */
public final class SteadySelectorProcessor extends NioProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(SteadySelectorProcessor.class);
    static final long MIN_NANOS_BETWEEN_REBUILDS = 1_000_000_000L;

    private long lastRebuild = System.nanoTime() - MIN_NANOS_BETWEEN_REBUILDS;
    private long skipped;
    private volatile long rebuilds;

    /** Called by MINA's processor pool through reflection. */
    public SteadySelectorProcessor(Executor executor) {
        super(executor);
    }

    @Override
    protected void registerNewSelector() throws IOException {
        // Called only from this processor's own loop thread: no lock needed for the two fields.
        long now = System.nanoTime();
        if (now - lastRebuild < MIN_NANOS_BETWEEN_REBUILDS) {
            skipped++;
            return;
        }
        LOG.debug("Rebuilding the selector ({} rebuild requests skipped before this one)", skipped);
        lastRebuild = now;
        skipped = 0;
        rebuilds++;
        super.registerNewSelector();
    }

    /** Selectors rebuilt so far. */
    long rebuilds() {
        return rebuilds;
    }
}
