package io.github.chatserver.codec;

/**
 * A well-framed packet whose type this server does not know. docs/PROTOCOL.md §3 asks to
 * ignore (and count) these for forward compatibility, so the decoder hands them on unparsed.
 */
public record UnknownPacket(long typeCode, int bodyLength) {
}
