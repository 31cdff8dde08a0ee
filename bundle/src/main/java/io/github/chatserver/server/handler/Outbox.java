package io.github.chatserver.server.handler;

import com.google.protobuf.InvalidProtocolBufferException;
import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.stats.ThrottledLog;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.server.storage.OfflineStore.Entry;
import io.github.chatserver.server.storage.retry.Admission;
import io.github.chatserver.server.storage.retry.RetryBuffer;
import io.github.chatserver.server.storage.retry.Write;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where chat messages go: to an online recipient's connection, or into offline storage. A write
 * that fails, or whose connection closes before it completes, falls back to storage, so a
 * message is never lost on the race between sending and disconnecting.
 *
 * <p>Storage goes through the {@link RetryBuffer}: when Redis does not take a message it is kept in
 * memory, with the sequence number it was accepted with, and written when Redis is back. When the
 * buffer is full, a new message that needs storage is <em>refused visibly</em>: the protocol has no
 * per-message answer, so the sender's connection is closed (logged, counted as
 * {@link Counter#MESSAGES_REFUSED}). What the sender sent before it was taken; it and whatever
 * followed it on that connection were not. The client's reconnect is then answered by the login
 * refusal, "service temporarily unavailable", for as long as Redis is down.
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final ServerContext context;
    private final ThrottledLog refusals = new ThrottledLog(LOG, 20);

    Outbox(ServerContext context) {
        this.context = context;
    }

    /** Writes {@code frame} to the recipient's session, storing {@code fallback} if the write does not complete. */
    void deliver(IoSession recipient, EncodedFrame frame, Entry fallback, Counter delivered) {
        TrackedWrites.write(recipient, frame, written -> {
            if (written) {
                context.stats().increment(delivered);
            } else if (!keep(List.of(fallback))) {
                // Accepted earlier and sent to an online recipient; its sender cannot be told any more.
                context.stats().increment(Counter.MESSAGES_LOST);
                LOG.error("Lost a message for '{}': its delivery failed and the retry buffer is full "
                        + "({} messages wait for Redis)", fallback.recipient(), context.store().retries().reserved());
            }
        });
    }

    /**
     * Stores messages for recipients who are not online: one message, for one or more recipients,
     * all or none. Returns {@code false} if it was refused (the retry buffer is full); the sender's
     * connection has then been closed.
     */
    boolean store(List<Entry> entries) {
        if (entries.isEmpty()) {
            return true;
        }
        if (keep(entries)) {
            return true;
        }
        Entry first = entries.get(0);
        String[] fromTo = senderAndTarget(first);
        refuse(context.sessions().find(fromTo[0]).orElse(null), fromTo[0],
                "it needs storage for " + entries.size() + " recipient(s) (first '" + fromTo[1]
                        + "') and the retry buffer is full (" + context.store().retries().reserved() + " of "
                        + context.store().retries().capacity() + " messages wait for Redis)");
        return false;
    }

    /**
     * Refuses a message visibly: counts it, logs why (throttled), and closes the sender's connection,
     * so that nothing it sent from that message on is acted on.
     */
    void refuse(IoSession sender, String user, String why) {
        context.stats().increment(Counter.MESSAGES_REFUSED);
        refusals.warn("Refusing a message from '{}' ({}): {}; closing the sender's connection",
                user, sender == null ? "no longer connected" : sender.getRemoteAddress(), why);
        if (sender != null && user.equals(ClientState.of(sender).user())) {
            sender.closeNow();
        }
    }

    private boolean keep(List<Entry> entries) {
        return context.store().retries().submit(new StoreWrite(entries)) != Admission.REFUSED;
    }

    /** Sender and recipient (user or group) of a stored message, from its bytes. */
    private static String[] senderAndTarget(Entry entry) {
        try {
            if (entry.kind() == OfflineStore.Kind.C2C) {
                PbC2CTextChat m = PbC2CTextChat.parseFrom(entry.payload());
                return new String[] {m.getFromUuid(), m.getToUuid()};
            }
            PbGroupTextChat m = PbGroupTextChat.parseFrom(entry.payload());
            return new String[] {m.getFromUuid(), "group " + m.getGroupId()};
        } catch (InvalidProtocolBufferException e) {
            return new String[] {"", entry.recipient()}; // built by this server: cannot happen
        }
    }

    /** Storing one message for its offline recipients: a write the retry buffer may repeat (idempotent). */
    private final class StoreWrite implements Write<OfflineStore.Outcome> {
        private final List<Entry> entries;
        private final Set<String> queues = new LinkedHashSet<>();

        StoreWrite(List<Entry> entries) {
            this.entries = List.copyOf(entries);
            for (Entry e : entries) {
                queues.add(e.kind().key(e.recipient()));
            }
        }

        @Override
        public int weight() {
            return entries.size();
        }

        @Override
        public Collection<String> queues() {
            return queues;
        }

        @Override
        public CompletionStage<OfflineStore.Outcome> attempt() {
            return context.store().offline().storeAll(entries, context.settings().offline());
        }

        @Override
        public void done(OfflineStore.Outcome outcome) {
            for (int i = 0; i < outcome.stored(); i++) {
                context.stats().increment(Counter.MESSAGES_OFFLINE);
            }
            for (long i = 0; i < outcome.dropped(); i++) {
                context.stats().increment(Counter.OFFLINE_DROPPED);
            }
            for (int i = 0; i < outcome.expired(); i++) {
                context.stats().increment(Counter.OFFLINE_EXPIRED);
            }
        }

        @Override
        public void abandoned(String why) {
            for (int i = 0; i < entries.size(); i++) {
                context.stats().increment(Counter.MESSAGES_LOST);
                context.stats().increment(Counter.OFFLINE_STORE_FAILURES);
            }
            LOG.error("Lost {} stored message(s) for '{}'...: {}", entries.size(), entries.get(0).recipient(), why);
        }
    }
}
