package io.github.chatserver.codec;

import com.google.protobuf.Message;
import io.github.chatserver.protocol.PacketType;

/** A decoded packet: its type and its parsed, decrypted body. */
public record Packet(PacketType type, Message body) {

    public static Packet of(Message body) {
        return new Packet(PacketType.of(body), body);
    }

    /** The body as the message class the caller expects for this type. */
    public <T extends Message> T body(Class<T> kind) {
        return kind.cast(body);
    }
}
