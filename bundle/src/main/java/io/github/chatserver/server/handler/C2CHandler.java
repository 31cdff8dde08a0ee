package io.github.chatserver.server.handler;

import com.google.protobuf.ByteString;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.server.auth.RecipientDirectory;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-to-one text (5). The sender is the session's user; the server stamps its own time. An
 * online recipient gets the message at once; otherwise, or if that write fails, it is stored
 * as an offline message. Nothing is silently dropped. In authMode password and token the
 * recipient must exist ({@link RecipientDirectory}); a message to an unknown user is not stored.
 */
public final class C2CHandler implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(C2CHandler.class);

    private final ServerContext context;
    private final Outbox outbox;
    private final RecipientDirectory recipients;

    C2CHandler(ServerContext context, Outbox outbox) {
        this.context = context;
        this.outbox = outbox;
        this.recipients = RecipientDirectory.forSettings(context.settings().auth(), context.store().users());
    }

    @Override
    public CompletionStage<?> handle(IoSession session, Packet packet) throws ProtocolViolation {
        PbC2CTextChat in = packet.body(PbC2CTextChat.class);
        String sender = Identity.requireSender(session, in.getFromUuidBytes());
        String to = Identity.requireRecipient(in.getToUuidBytes(), context.settings().limits().maxUuidLength());
        ByteString text = Identity.requireTextWithin(in.getTextMsgBytes(), context.settings().limits().maxTextLength());
        if (recipients.acceptsEveryone() || context.sessions().find(to).isPresent()) {
            route(sender, to, text); // a user logged in here exists
            return DONE;
        }
        return recipients.exists(to).handle((exists, failure) -> {
            if (failure != null) {
                // Fail open: a message is never silently lost, and storing it goes through the Outbox,
                // which copes with Redis being away.
                context.stats().increment(Counter.REDIS_ERRORS);
                LOG.warn("Could not check that recipient '{}' exists ({}); accepting the message", to,
                        failure.toString());
                route(sender, to, text);
            } else if (exists) {
                route(sender, to, text);
            } else {
                // There is no refusal packet for type 5: dropped, counted, the connection stays open (docs/PROTOCOL.md §4).
                context.stats().increment(Counter.REQUESTS_REFUSED);
                LOG.debug("Dropped a message from '{}' to unknown user '{}'", sender, to);
            }
            return null;
        });
    }

    private void route(String sender, String to, ByteString text) {
        // Rebuilt field by field: the sender controls nothing but recipient and text (no unknown fields pass).
        PbC2CTextChat message = PbC2CTextChat.newBuilder().setFromUuid(sender).setToUuid(to)
                .setTextMsgBytes(text).setTimestamp(ServerContext.now()).build();
        byte[] body = message.toByteArray(); // serialized once: the frame and the stored copy
        OfflineStore.Entry offline = new OfflineStore.Entry(OfflineStore.Kind.C2C, message.getToUuid(),
                context.store().offline().nextSeq(), body);
        Optional<IoSession> recipient = context.sessions().find(message.getToUuid());
        if (recipient.isPresent() && recipient.get().isConnected()) {
            outbox.deliver(recipient.get(), context.encodeOnce(PacketType.C2C_TEXT_CHAT, body), offline,
                    Counter.MESSAGES_ONLINE);
        } else {
            outbox.store(List.of(offline));
        }
    }
}
