package io.github.chatserver.server.handler;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbClientRequestGroupOfflineMsg;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseGroupOfflineMsg;
import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.server.session.WriteCoalescing;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.server.storage.OfflineStore.Kind;
import io.github.chatserver.server.storage.retry.Admission;
import io.github.chatserver.server.storage.retry.RetryBuffer;
import io.github.chatserver.server.storage.retry.Write;
import io.github.chatserver.server.storage.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests for stored messages (6 and 9), served as 7 and 10, oldest first, only to their
 * owner. Delivery runs in batches: a message leaves storage only once its write to the client
 * completed, and the next batch is read only when the whole previous one was written and
 * removed, so a disconnect mid-delivery leaves exactly the undelivered rest in storage. Deliveries
 * to one user run one after the other, even across sessions (a new login while the old session's
 * last writes are completing): nothing is read for the new session before the old delivery has
 * removed what it wrote, so nothing is delivered twice.
 *
 * <p>When Redis fails: a request is answered with nothing (the protocol has no error answer for
 * 6 or 9) and the messages stay stored for the next one. A message written to the client whose
 * removal Redis did not take is removed later by the {@link RetryBuffer}, and the delivery stops.
 * A delivery starts only once the retry buffer holds nothing for that queue (at most
 * {@link #SETTLE_WAIT}; else it serves nothing this time): it neither serves again a message
 * whose removal is still pending, nor serves newer messages before older ones still on their
 * way to Redis.
 */
public final class OfflineHandler implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OfflineHandler.class);
    static final int BATCH = 100;
    /** Longest wait, before a delivery, for the retry buffer to settle the writes of that queue. */
    static final Duration SETTLE_WAIT = Duration.ofSeconds(5);

    private final ServerContext context;
    /** The running (or last) delivery per queue key; a new one starts when it completes. */
    private final ConcurrentMap<String, CompletableFuture<Void>> deliveries = new ConcurrentHashMap<>();

    OfflineHandler(ServerContext context) {
        this.context = context;
    }

    @Override
    public CompletionStage<?> handle(IoSession session, Packet packet) throws ProtocolViolation {
        switch (packet.type()) {
            case CLIENT_REQUEST_C2C_OFFLINE_MSG -> {
                Identity.requireSender(session, packet.body(PbClientRequestC2COfflineMsg.class).getFromUuidBytes());
                deliver(session, Kind.C2C);
            }
            case CLIENT_REQUEST_GROUP_OFFLINE_MSG -> {
                Identity.requireSender(session, packet.body(PbClientRequestGroupOfflineMsg.class).getFromUuidBytes());
                deliver(session, Kind.GROUP);
            }
            default -> throw new IllegalArgumentException("Not an offline request: " + packet.type());
        }
        // The delivery runs on its own: the connection's next packets need not wait for it.
        return DONE;
    }

    /** Sends the session user's stored messages of one kind. A request while one runs is ignored. */
    void deliver(IoSession session, Kind kind) {
        ClientState state = ClientState.of(session);
        String user = state.user();
        if (user == null || !state.startDelivery(kind)) {
            return;
        }
        String key = kind.key(user);
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> previous = deliveries.put(key, done);
        done.whenComplete((ignored, failure) -> {
            deliveries.remove(key, done);
            state.endDelivery(kind);
        });
        Runnable start = () -> context.store().retries().settled(key, SETTLE_WAIT).whenComplete((settled, failure) -> {
            if (Boolean.TRUE.equals(settled)) {
                nextBatch(session, done, user, kind, 0);
            } else {
                LOG.info("Not serving the stored messages of '{}' now: writes to that queue still wait for Redis", user);
                done.complete(null);
            }
        });
        if (previous == null) {
            start.run();
        } else {
            previous.whenComplete((ignored, failure) -> start.run());
        }
    }

    private void nextBatch(IoSession session, CompletableFuture<Void> done, String user, Kind kind, long afterSeq) {
        OfflineStore store = context.store().offline();
        store.fetch(kind, user, afterSeq, BATCH).whenComplete((batch, failure) -> {
            if (failure != null) {
                context.stats().increment(Counter.REDIS_ERRORS);
                LOG.warn("Could not read stored messages of '{}': {}", user, failure.toString());
                done.complete(null);
                return;
            }
            if (batch.isEmpty() || !session.isConnected()) {
                done.complete(null);
                return;
            }
            long now = System.currentTimeMillis();
            long lastSeq = batch.get(batch.size() - 1).seq();
            List<StoredMessage> live = new ArrayList<>(batch.size());
            for (StoredMessage m : batch) {
                if (m.expiredAt(now)) {
                    context.stats().increment(Counter.OFFLINE_EXPIRED);
                    store.remove(kind, user, m);
                } else {
                    live.add(m);
                }
            }
            write(session, done, user, kind, live, lastSeq);
        });
    }

    private void write(IoSession session, CompletableFuture<Void> done, String user, Kind kind,
                       List<StoredMessage> live, long lastSeq) {
        if (live.isEmpty()) {
            nextBatch(session, done, user, kind, lastSeq);
            return;
        }
        AtomicInteger pending = new AtomicInteger(live.size());
        AtomicBoolean complete = new AtomicBoolean(true);
        // The batch goes out as one write (this runs on a Redis thread, outside any read's scope).
        WriteCoalescing scope = WriteCoalescing.open();
        try {
            writeEach(session, done, user, kind, live, lastSeq, pending, complete);
        } finally {
            if (scope != null) {
                scope.close();
            }
        }
    }

    private void writeEach(IoSession session, CompletableFuture<Void> done, String user, Kind kind,
                           List<StoredMessage> live, long lastSeq, AtomicInteger pending, AtomicBoolean complete) {
        for (StoredMessage m : live) {
            Message response;
            try {
                response = toResponse(kind, m.payload());
            } catch (InvalidProtocolBufferException e) {
                LOG.error("Removing an unreadable stored message of '{}': {}", user, e.getMessage());
                context.store().offline().remove(kind, user, m)
                        .whenComplete((r, ignored) -> finishOne(session, done, user, kind, lastSeq, pending, complete));
                continue;
            }
            TrackedWrites.write(session, context.encodeOnce(Packet.of(response)), written -> {
                if (written) {
                    context.stats().increment(Counter.OFFLINE_DELIVERED);
                    context.store().offline().remove(kind, user, m).whenComplete((removed, failure) -> {
                        if (failure != null) {
                            complete.set(false); // stop: Redis fails, and reading on could serve this one again
                            context.stats().increment(Counter.REDIS_ERRORS);
                            retryRemoval(kind, user, m);
                        }
                        finishOne(session, done, user, kind, lastSeq, pending, complete);
                    });
                } else {
                    complete.set(false);
                    finishOne(session, done, user, kind, lastSeq, pending, complete);
                }
            });
        }
    }

    /** Removes a delivered message once Redis takes it; until then no delivery from its queue starts. */
    private void retryRemoval(Kind kind, String user, StoredMessage m) {
        Admission admission = context.store().retries().enqueue(Write.control(List.of(kind.key(user)),
                () -> context.store().offline().remove(kind, user, m)));
        if (admission == Admission.REFUSED) {
            LOG.warn("Retry buffer full: a message delivered to '{}' stays stored and may be served again", user);
        }
    }

    /** Counts one message of the batch as settled; after the last, reads the next batch or ends. */
    private void finishOne(IoSession session, CompletableFuture<Void> done, String user, Kind kind, long lastSeq,
                           AtomicInteger pending, AtomicBoolean complete) {
        if (pending.decrementAndGet() > 0) {
            return;
        }
        if (complete.get() && session.isConnected()) {
            nextBatch(session, done, user, kind, lastSeq);
        } else {
            done.complete(null); // the rest stays stored for the next request
        }
    }

    private static Message toResponse(Kind kind, byte[] payload) throws InvalidProtocolBufferException {
        if (kind == Kind.C2C) {
            PbC2CTextChat m = PbC2CTextChat.parseFrom(payload);
            return PbServerResponseC2COfflineMsg.newBuilder().setFromUuid(m.getFromUuid()).setToUuid(m.getToUuid())
                    .setTextMsg(m.getTextMsg()).setTimestamp(m.getTimestamp()).build();
        }
        PbGroupTextChat m = PbGroupTextChat.parseFrom(payload);
        return PbServerResponseGroupOfflineMsg.newBuilder().setFromUuid(m.getFromUuid()).setGroupId(m.getGroupId())
                .setTextMsg(m.getTextMsg()).setTimestamp(m.getTimestamp()).build();
    }
}
