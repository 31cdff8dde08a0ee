package io.github.chatserver.server.storage.retry;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last chance of the writes still kept when the server stops, and the account of those Redis
 * did not take: each waiting write is sent once more; what fails then, and what fails after the
 * stop began (a first attempt or a round in flight), is collected, so that one report gives the
 * exact count once the store's operations had their chance to finish.
 */
final class StopFlush {
    private static final Logger LOG = LoggerFactory.getLogger(RetryBuffer.class);

    // Guarded by this.
    /** Not taken by Redis (yet). */
    private final Set<PendingWrite<?>> unwritten = new LinkedHashSet<>();
    private boolean reported;

    /**
     * Sends every write once more; one that Redis takes is handed to {@code onWritten} with its
     * callback (unless it was already reported unwritten).
     */
    void flush(List<PendingWrite<?>> last, BiConsumer<PendingWrite<?>, Runnable> onWritten) {
        synchronized (this) {
            unwritten.addAll(last);
        }
        if (!last.isEmpty()) {
            LOG.warn("Stopping with {} write(s) waiting for Redis: trying them one last time", last.size());
        }
        for (PendingWrite<?> w : last) {
            w.attempt().whenComplete((done, failure) -> {
                if (failure == null && written(w)) {
                    onWritten.accept(w, done);
                }
            });
        }
    }

    private synchronized boolean written(PendingWrite<?> w) {
        return unwritten.remove(w);
    }

    /** A write that failed after the stop began joins the report; false if the report was made already. */
    synchronized boolean add(PendingWrite<?> w) {
        if (reported) {
            return false;
        }
        unwritten.add(w);
        return true;
    }

    /** What Redis did not take; from now on a late success of those is ignored, a late failure reported on its own. */
    synchronized List<PendingWrite<?>> report() {
        reported = true;
        List<PendingWrite<?>> taken = new ArrayList<>(unwritten);
        unwritten.clear();
        return taken;
    }
}
