package io.github.chatserver.server.storage.retry;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last chance of the writes still waiting when the server stops: each is sent once more, and
 * what Redis did not take by the time the store's operations had their chance to finish is handed
 * back to be reported as unwritten.
 */
final class StopFlush {
    private static final Logger LOG = LoggerFactory.getLogger(RetryBuffer.class);

    /** Flushed and not (yet) taken by Redis. Guarded by this. */
    private final Set<PendingWrite<?>> unwritten = new LinkedHashSet<>();

    /** Sends every write once more; one that Redis takes runs its callback (unless already reported unwritten). */
    void flush(List<PendingWrite<?>> last) {
        synchronized (this) {
            unwritten.addAll(last);
        }
        if (!last.isEmpty()) {
            LOG.warn("Stopping with {} write(s) waiting for Redis: trying them one last time", last.size());
        }
        for (PendingWrite<?> w : last) {
            w.attempt().whenComplete((done, failure) -> {
                if (failure == null && written(w)) {
                    done.run();
                }
            });
        }
    }

    private synchronized boolean written(PendingWrite<?> w) {
        return unwritten.remove(w);
    }

    /** What the flush did not write so far; from now on, a late success of those is ignored. */
    synchronized List<PendingWrite<?>> takeUnwritten() {
        List<PendingWrite<?>> taken = new ArrayList<>(unwritten);
        unwritten.clear();
        return taken;
    }
}
