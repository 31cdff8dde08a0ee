package io.github.chatserver.server.handler;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.server.stats.ServerStats.Counter;
import java.util.Optional;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-to-one text (5). The sender is the session's user; the server stamps its own time. An
 * online recipient gets the message at once; otherwise, or if that write fails, it is stored
 * as an offline message. Nothing is silently dropped.
 */
public final class C2CHandler implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(C2CHandler.class);

    private final ServerContext context;

    C2CHandler(ServerContext context) {
        this.context = context;
    }

    @Override
    public void handle(IoSession session, Packet packet) throws ProtocolViolation {
        PbC2CTextChat in = packet.body(PbC2CTextChat.class);
        String sender = Identity.requireSender(session, in.getFromUuid());
        if (!Identity.isWellFormed(in.getToUuid())) {
            throw new ProtocolViolation(ProtocolViolation.Kind.MALFORMED_BODY, "Invalid to_uuid in C2C text");
        }
        PbC2CTextChat message = in.toBuilder().setFromUuid(sender).setTimestamp(ServerContext.now()).build();
        Optional<IoSession> recipient = context.sessions().find(message.getToUuid());
        if (recipient.isPresent() && recipient.get().isConnected()) {
            deliverOnline(recipient.get(), message);
        } else {
            storeOffline(message);
        }
    }

    private void deliverOnline(IoSession recipient, PbC2CTextChat message) {
        WriteFuture written = recipient.write(Packet.of(message));
        written.addListener(f -> {
            if (((WriteFuture) f).isWritten()) {
                context.stats().increment(Counter.MESSAGES_ONLINE);
            } else {
                // The recipient's connection failed or closed before the write completed.
                storeOffline(message);
            }
        });
    }

    private void storeOffline(PbC2CTextChat message) {
        context.store().offline().storeC2C(message).whenComplete((ok, failure) -> {
            if (failure == null) {
                context.stats().increment(Counter.MESSAGES_OFFLINE);
            } else {
                context.stats().increment(Counter.OFFLINE_STORE_FAILURES);
                LOG.error("Could not store an offline message for '{}': {}", message.getToUuid(), failure.toString());
            }
        });
    }
}
