package io.github.chatserver.server.transport;

import org.apache.mina.core.buffer.IoBuffer;

/**
 * Counts the frames that begin in a connection's byte stream, without decoding them: it reads
 * each frame's 4-byte length (docs/PROTOCOL.md §1) and skips the rest, across buffer
 * boundaries. A length below the header size counts as a header's worth: the decoder closes
 * such a connection anyway. Per connection; not thread-safe (one I/O thread reads a session).
 */
final class FrameCounter {
    private static final int HEADER = 8;
    private static final int LENGTH_BYTES = 4;

    private int lengthBytesSeen;
    private long length;
    private long toSkip;

    /** The number of frames whose first byte is in {@code buffer}; the buffer's position is not moved. */
    int count(IoBuffer buffer) {
        int frames = 0;
        int at = buffer.position();
        int end = buffer.limit();
        while (at < end) {
            if (toSkip > 0) {
                int skip = (int) Math.min(toSkip, end - at);
                at += skip;
                toSkip -= skip;
                continue;
            }
            if (lengthBytesSeen == 0) {
                frames++;
            }
            length = (length << 8) | (buffer.get(at++) & 0xFF);
            if (++lengthBytesSeen == LENGTH_BYTES) {
                toSkip = Math.max(length, HEADER) - LENGTH_BYTES;
                lengthBytesSeen = 0;
                length = 0;
            }
        }
        return frames;
    }
}
