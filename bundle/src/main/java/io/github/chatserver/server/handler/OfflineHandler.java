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
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.server.storage.OfflineStore.Kind;
import io.github.chatserver.server.storage.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests for stored messages (6 and 9), served as 7 and 10, oldest first, only to their
 * owner. Delivery runs in batches: a message leaves storage only once its write to the client
 * completed, and the next batch is read only when the whole previous one was written, so a
 * disconnect mid-delivery leaves exactly the undelivered rest in storage.
 */
public final class OfflineHandler implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OfflineHandler.class);
    static final int BATCH = 100;

    private final ServerContext context;

    OfflineHandler(ServerContext context) {
        this.context = context;
    }

    @Override
    public void handle(IoSession session, Packet packet) throws ProtocolViolation {
        switch (packet.type()) {
            case CLIENT_REQUEST_C2C_OFFLINE_MSG -> {
                Identity.requireSender(session, packet.body(PbClientRequestC2COfflineMsg.class).getFromUuid());
                deliver(session, Kind.C2C);
            }
            case CLIENT_REQUEST_GROUP_OFFLINE_MSG -> {
                Identity.requireSender(session, packet.body(PbClientRequestGroupOfflineMsg.class).getFromUuid());
                deliver(session, Kind.GROUP);
            }
            default -> throw new IllegalArgumentException("Not an offline request: " + packet.type());
        }
    }

    /** Sends the session user's stored messages of one kind. A request while one runs is ignored. */
    void deliver(IoSession session, Kind kind) {
        ClientState state = ClientState.of(session);
        String user = state.user();
        if (user != null && state.startDelivery(kind)) {
            nextBatch(session, state, user, kind, 0);
        }
    }

    private void nextBatch(IoSession session, ClientState state, String user, Kind kind, long afterSeq) {
        OfflineStore store = context.store().offline();
        store.fetch(kind, user, afterSeq, BATCH).whenComplete((batch, failure) -> {
            if (failure != null) {
                context.stats().increment(Counter.REDIS_ERRORS);
                LOG.warn("Could not read stored messages of '{}': {}", user, failure.toString());
                state.endDelivery(kind);
                return;
            }
            if (batch.isEmpty() || !session.isConnected()) {
                state.endDelivery(kind);
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
            write(session, state, user, kind, live, lastSeq);
        });
    }

    private void write(IoSession session, ClientState state, String user, Kind kind, List<StoredMessage> live, long lastSeq) {
        if (live.isEmpty()) {
            nextBatch(session, state, user, kind, lastSeq);
            return;
        }
        AtomicInteger pending = new AtomicInteger(live.size());
        AtomicBoolean complete = new AtomicBoolean(true);
        for (StoredMessage m : live) {
            Message response;
            try {
                response = toResponse(kind, m.payload());
            } catch (InvalidProtocolBufferException e) {
                LOG.error("Removing an unreadable stored message of '{}': {}", user, e.getMessage());
                context.store().offline().remove(kind, user, m);
                finishOne(session, state, user, kind, lastSeq, pending, complete);
                continue;
            }
            session.write(Packet.of(response)).addListener(f -> {
                if (((WriteFuture) f).isWritten()) {
                    context.stats().increment(Counter.OFFLINE_DELIVERED);
                    context.store().offline().remove(kind, user, m);
                } else {
                    complete.set(false);
                }
                finishOne(session, state, user, kind, lastSeq, pending, complete);
            });
        }
    }

    private void finishOne(IoSession session, ClientState state, String user, Kind kind, long lastSeq,
                           AtomicInteger pending, AtomicBoolean complete) {
        if (pending.decrementAndGet() > 0) {
            return;
        }
        if (complete.get() && session.isConnected()) {
            nextBatch(session, state, user, kind, lastSeq);
        } else {
            state.endDelivery(kind); // the rest stays stored for the next request
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
