package io.github.chatserver.server.handler;

import com.google.protobuf.ByteString;
import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.mina.core.session.IoSession;

/**
 * Group text (8): from a member to every other member, online at once, offline as type 10 later.
 * Membership comes from the local cache, so a message costs no Redis read; the message is
 * encoded and encrypted once and the same bytes are written to every online member.
 *
 * <p>A message goes to all its recipients or to none: storage for the offline members is taken
 * first ({@link Outbox#store}), and only then is it written to the online ones. If storage is
 * refused (the retry buffer is full: Redis is down, hung or behind), or the members cannot be known (not
 * cached, and Redis does not answer), nobody gets it and it is refused visibly: the sender's
 * connection is closed.
 */
public final class GroupChatHandler implements PacketHandler {
    private final ServerContext context;
    private final Outbox outbox;
    private final GroupHandler groups;

    GroupChatHandler(ServerContext context, Outbox outbox, GroupHandler groups) {
        this.context = context;
        this.outbox = outbox;
        this.groups = groups;
    }

    @Override
    public CompletionStage<?> handle(IoSession session, Packet packet) throws ProtocolViolation {
        PbGroupTextChat in = packet.body(PbGroupTextChat.class);
        String sender = Identity.requireSender(session, in.getFromUuidBytes());
        String groupId = GroupHandler.requireGroupId(in.getGroupId());
        ByteString text = Identity.requireTextWithin(in.getTextMsgBytes(), context.settings().limits().maxTextLength());
        // Rebuilt field by field: the sender controls nothing but group and text (no unknown fields pass).
        PbGroupTextChat message = PbGroupTextChat.newBuilder().setFromUuid(sender).setGroupId(groupId)
                .setTextMsgBytes(text).setTimestamp(ServerContext.now()).build();
        return context.store().membership().members(groupId).whenComplete((members, failure) -> {
            if (failure != null) {
                context.stats().increment(Counter.REDIS_ERRORS);
                outbox.refuse(session, sender, "the members of group " + groupId
                        + " are not cached and Redis does not answer (" + failure + ")");
                return;
            }
            if (!members.contains(sender)) {
                groups.notInGroup(session, sender, groupId, "");
                return;
            }
            fanOut(message, members);
        });
    }

    private void fanOut(PbGroupTextChat message, Iterable<String> members) {
        byte[] stored = message.toByteArray(); // serialized once: the frame and the stored copies
        EncodedFrame frame = context.encodeOnce(PacketType.GROUP_TEXT_CHAT, stored);
        long seq = context.store().offline().nextSeq();
        List<OfflineStore.Entry> offline = new ArrayList<>();
        List<IoSession> onlineSessions = new ArrayList<>();
        List<OfflineStore.Entry> onlineFallbacks = new ArrayList<>();
        for (String member : members) {
            if (member.equals(message.getFromUuid())) {
                continue;
            }
            OfflineStore.Entry entry = new OfflineStore.Entry(OfflineStore.Kind.GROUP, member, seq, stored);
            Optional<IoSession> online = context.sessions().find(member);
            if (online.isPresent() && online.get().isConnected()) {
                onlineSessions.add(online.get());
                onlineFallbacks.add(entry);
            } else {
                offline.add(entry);
            }
        }
        if (!outbox.store(offline)) {
            return; // refused visibly: nobody gets it
        }
        for (int i = 0; i < onlineSessions.size(); i++) {
            outbox.deliver(onlineSessions.get(i), frame, onlineFallbacks.get(i), Counter.GROUP_DELIVERIES);
        }
    }
}
