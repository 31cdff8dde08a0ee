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
 * buffer is full, a new message that needs storage is <em>refused visibly</em> ({@link #refuse}).
 * A message accepted earlier is never refused: when its write to an online recipient fails, its
 * storage takes a slot even beyond the buffer's capacity ({@link RetryBuffer#submitAccepted}).
 * Reserving a slot for every live message up front would instead refuse online chat during an
 * outage although it does not need Redis, and tie the buffer's fill to the backlog of every socket;
 * the overshoot is bounded anyway, by what the recipients' write queues held (each within the
 * slow-consumer limit), and a stored copy takes no more memory than the frame it replaces.
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final ServerContext context;
    private final ThrottledLog refusals = new ThrottledLog(LOG, 20);
    private final ThrottledLog losses = new ThrottledLog(LOG, 20);

    Outbox(ServerContext context) {
        this.context = context;
    }

    /** Writes {@code frame} to the recipient's session, storing {@code fallback} if the write does not complete. */
    void deliver(IoSession recipient, EncodedFrame frame, Entry fallback, Counter delivered) {
        TrackedWrites.write(recipient, frame, written -> {
            if (written) {
                context.stats().increment(delivered);
            } else if (context.store().retries().submitAccepted(new StoreWrite(List.of(fallback))) == Admission.REFUSED) {
                // The buffer refuses it only once the server stops; its sender cannot be told any more.
                context.stats().increment(Counter.MESSAGES_LOST);
                losses.error("Lost a message for '{}': its delivery failed while the server stops", fallback.recipient());
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
        if (context.store().retries().submit(new StoreWrite(entries)) != Admission.REFUSED) {
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
     * Refuses a message visibly, before anything was done with it: counts it
     * ({@link Counter#MESSAGES_REFUSED}), logs why (throttled), and tells the sender
     * ({@link #tellRefused}).
     */
    void refuse(IoSession sender, String user, String why) {
        context.stats().increment(Counter.MESSAGES_REFUSED);
        refusals.warn("Refusing a message from '{}' ({}): {}; closing the sender's connection",
                user, sender == null ? "no longer connected" : sender.getRemoteAddress(), why);
        tellRefused(sender, user);
    }

    /**
     * How a sender learns that its message was refused. Protocol version 1 has no per-message
     * answer, so the connection is closed: what the sender sent before was taken, this message and
     * whatever followed it on that connection were not, and its reconnect is answered by the login
     * refusal ("service temporarily unavailable") for as long as Redis is down. Version 2 replaces
     * this, for an ACKS sender whose message carried a client_msg_id, with a type 22 receipt of status
     * REFUSED and the reason, on a connection that stays open (docs/PROTOCOL.md §5).
     */
    private static void tellRefused(IoSession sender, String user) {
        if (sender != null && user.equals(ClientState.of(sender).user())) {
            sender.closeNow();
        }
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
            losses.error("Lost {} stored message(s) for '{}'...: {}", entries.size(), entries.get(0).recipient(), why);
        }
    }
}
