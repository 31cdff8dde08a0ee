package io.github.chatserver.codec;

import org.apache.mina.core.buffer.IoBuffer;

/** A complete frame (header and encrypted body), ready to be written to any number of sessions. */
public final class EncodedFrame {
    private final byte[] bytes;

    private EncodedFrame(byte[] bytes) {
        this.bytes = bytes;
    }

    public static EncodedFrame of(Packet packet, BodyCipher cipher) {
        byte[] body = cipher.encrypt(packet.body().toByteArray());
        byte[] frame = new byte[FrameHeader.LENGTH + body.length];
        int length = frame.length;
        int type = packet.type().code();
        frame[0] = (byte) (length >>> 24);
        frame[1] = (byte) (length >>> 16);
        frame[2] = (byte) (length >>> 8);
        frame[3] = (byte) length;
        frame[4] = (byte) (type >>> 24);
        frame[5] = (byte) (type >>> 16);
        frame[6] = (byte) (type >>> 8);
        frame[7] = (byte) type;
        System.arraycopy(body, 0, frame, FrameHeader.LENGTH, body.length);
        return new EncodedFrame(frame);
    }

    /** A fresh buffer over the shared bytes: each write gets its own position. */
    public IoBuffer toBuffer() {
        return IoBuffer.wrap(bytes);
    }

    public int length() {
        return bytes.length;
    }
}
