package io.github.chatserver.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.mina.core.buffer.IoBuffer;
import org.junit.jupiter.api.Test;

/** Frames are counted by their first byte, across any split of the stream. */
class FrameCounterTest {

    /** {@code count} frames of {@code length} bytes each (header included), back to back. */
    private static byte[] frames(int count, int length) {
        byte[] stream = new byte[count * length];
        for (int i = 0; i < count; i++) {
            int at = i * length;
            stream[at + 3] = (byte) length;
            stream[at + 2] = (byte) (length >>> 8);
            stream[at + 7] = 4; // type: ping
        }
        return stream;
    }

    private static int countInChunks(byte[] stream, int chunk) {
        FrameCounter counter = new FrameCounter();
        int frames = 0;
        for (int at = 0; at < stream.length; at += chunk) {
            IoBuffer buffer = IoBuffer.wrap(stream, at, Math.min(chunk, stream.length - at));
            int before = buffer.position();
            frames += counter.count(buffer);
            assertEquals(before, buffer.position(), "the buffer is left for the decoder");
        }
        return frames;
    }

    @Test
    void countsFramesWhateverTheChunking() {
        byte[] stream = frames(50, 24);
        for (int chunk : new int[] {1, 2, 3, 4, 5, 7, 8, 23, 24, 25, 100, stream.length}) {
            assertEquals(50, countInChunks(stream, chunk), "chunks of " + chunk);
        }
    }

    @Test
    void aFrameIsCountedWhenItsFirstByteArrives() {
        byte[] stream = frames(2, 300);
        FrameCounter counter = new FrameCounter();
        assertEquals(1, counter.count(IoBuffer.wrap(stream, 0, 1)));
        assertEquals(0, counter.count(IoBuffer.wrap(stream, 1, 299)));
        assertEquals(1, counter.count(IoBuffer.wrap(stream, 300, 300)));
    }

    @Test
    void aLengthBelowTheHeaderCountsAHeadersWorth() {
        byte[] stream = new byte[16]; // two frames declaring length 0: the decoder closes on the first
        assertEquals(2, countInChunks(stream, 3));
    }
}
