package io.github.chatserver.codec;

/** The clear-text 8-byte header: total length (header included) and type, both big-endian uint32. */
public final class FrameHeader {
    public static final int LENGTH = 8;
    /** docs/PROTOCOL.md §1: the default for maxFrameLength. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 8192;

    private FrameHeader() {
    }
}
