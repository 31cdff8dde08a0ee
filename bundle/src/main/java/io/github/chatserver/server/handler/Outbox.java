package io.github.chatserver.server.handler;

import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.server.config.OfflinePolicy;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.server.storage.OfflineStore.Entry;
import java.util.List;
import io.github.chatserver.server.session.TrackedWrites;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where chat messages go: to an online recipient's connection, or into offline storage. A write
 * that fails, or whose connection closes before it completes, falls back to storage, so a
 * message is never lost on the race between sending and disconnecting.
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final ServerContext context;

    Outbox(ServerContext context) {
        this.context = context;
    }

    /** Writes {@code frame} to the recipient's session, storing {@code fallback} if the write does not complete. */
    void deliver(IoSession recipient, EncodedFrame frame, Entry fallback, Counter delivered) {
        TrackedWrites.write(recipient, frame, written -> {
            if (written) {
                context.stats().increment(delivered);
            } else {
                store(List.of(fallback));
            }
        });
    }

    /** Stores messages for recipients who are not online, in one round trip. */
    void store(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        OfflinePolicy policy = context.settings().offline();
        OfflineStore.Kind kind = entries.get(0).kind();
        long ttl = (kind == OfflineStore.Kind.C2C ? policy.c2cTtl() : policy.groupTtl()).toMillis();
        context.store().offline().storeAll(entries, ttl, policy.cap()).whenComplete((dropped, failure) -> {
            if (failure != null) {
                context.stats().increment(Counter.OFFLINE_STORE_FAILURES);
                LOG.error("Could not store {} offline message(s) for '{}'...: {}", entries.size(),
                        entries.get(0).recipient(), failure.toString());
                return;
            }
            for (int i = 0; i < entries.size(); i++) {
                context.stats().increment(Counter.MESSAGES_OFFLINE);
            }
            for (long i = 0; i < dropped; i++) {
                context.stats().increment(Counter.OFFLINE_DROPPED);
            }
        });
    }
}
