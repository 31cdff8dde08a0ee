package io.github.chatserver.server.handler;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import org.apache.mina.core.session.IoSession;

/** Handles the packets of one family. Runs on a MINA I/O thread: never blocks. */
public interface PacketHandler {
    void handle(IoSession session, Packet packet) throws ProtocolViolation;
}
