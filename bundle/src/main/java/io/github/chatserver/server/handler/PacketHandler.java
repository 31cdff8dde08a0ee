package io.github.chatserver.server.handler;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.mina.core.session.IoSession;

/**
 * Handles the packets of one family. Runs on a MINA I/O thread or a Redis completion thread and
 * never blocks: work that waits on Redis is returned as a stage, and the connection's next
 * packet is handled only once that stage completes.
 */
public interface PacketHandler {
    /** For handlers whose work is done when they return. */
    CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    CompletionStage<?> handle(IoSession session, Packet packet) throws ProtocolViolation;
}
