package io.github.chatserver.codec;

import java.util.List;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * Frames for one session written as a single buffer: one write request and one system call
 * instead of one per frame. A server gathers what it routes to each recipient while it handles one
 * read and writes each recipient's frames as a batch (coalescing); the client reads the same byte
 * stream either way. Each frame is taken in the session's cipher ({@link EncodedFrame#in}), so a
 * frame encrypted once is still shared between batches of many sessions.
 */
public final class FrameBatch {
    private final List<EncodedFrame> frames;
    /** The buffer made for the session and where each frame ends in it (set on the I/O path, read after). */
    private volatile IoBuffer buffer;
    private volatile int[] frameEnds;

    /** {@code frames} must not change afterwards: it is kept, not copied. */
    public FrameBatch(List<EncodedFrame> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        this.frames = frames;
    }

    public int size() {
        return frames.size();
    }

    /**
     * How many frames, from the first, went out whole, judging by how far the transport consumed
     * the buffer: MINA advances a buffer's position as the socket takes its bytes, and leaves it there
     * when a connection closes part-way through. Only meaningful where this buffer itself goes to the
     * socket (no TLS, which encrypts it into another buffer at once); 0 before it was made.
     */
    public int framesConsumed() {
        IoBuffer made = buffer;
        int[] ends = frameEnds;
        if (made == null || ends == null) {
            return 0;
        }
        int position = made.position();
        int n = 0;
        while (n < ends.length && ends[n] <= position) {
            n++;
        }
        return n;
    }

    /** The frames, in order, in {@code cipher}, as one buffer ready to write. */
    IoBuffer toBuffer(BodyCipher cipher) {
        int[] ends = new int[frames.size()];
        IoBuffer made;
        if (frames.size() == 1) {
            EncodedFrame frame = frames.get(0).in(cipher);
            ends[0] = frame.length();
            made = frame.toBuffer(); // no copy
        } else {
            int length = 0;
            EncodedFrame[] encoded = new EncodedFrame[frames.size()];
            for (int i = 0; i < encoded.length; i++) {
                encoded[i] = frames.get(i).in(cipher);
                length += encoded[i].length();
                ends[i] = length;
            }
            made = IoBuffer.allocate(length, false);
            for (EncodedFrame frame : encoded) {
                frame.putInto(made);
            }
            made.flip();
        }
        frameEnds = ends;
        buffer = made;
        return made;
    }
}
