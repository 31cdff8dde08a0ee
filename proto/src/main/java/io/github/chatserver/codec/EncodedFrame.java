package io.github.chatserver.codec;

import io.github.chatserver.protocol.PacketType;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * A complete frame (header and encrypted body), ready to be written to any number of sessions.
 * A server with two listeners (a plain one with {@code legacy-aes}, a TLS one with {@code none})
 * writes the same frame to sessions of both: {@link #in(BodyCipher)} gives it in another
 * listener's cipher, encrypted from the plain body once and kept, so a message fanned out to
 * many sessions is still encrypted at most once per cipher.
 */
public final class EncodedFrame {
    private final PacketType type;
    /** The plain (serialized, not encrypted) body: what another cipher encrypts from. */
    private final byte[] plainBody;
    private final BodyCipher cipher;
    private final byte[] bytes;
    /** The frame in the last other cipher asked for (a server has at most two). */
    private volatile EncodedFrame other;

    private EncodedFrame(PacketType type, byte[] plainBody, BodyCipher cipher, byte[] bytes) {
        this.type = type;
        this.plainBody = plainBody;
        this.cipher = cipher;
        this.bytes = bytes;
    }

    public static EncodedFrame of(Packet packet, BodyCipher cipher) {
        return of(packet.type(), packet.body().toByteArray(), cipher);
    }

    /**
     * The frame of a body already serialized (a server that also stores the message serializes it
     * once for both). {@code plainBody} must not change afterwards: it is kept, not copied.
     */
    public static EncodedFrame of(PacketType type, byte[] plainBody, BodyCipher cipher) {
        byte[] body = cipher.encrypt(plainBody);
        byte[] frame = new byte[FrameHeader.LENGTH + body.length];
        int length = frame.length;
        int code = type.code();
        frame[0] = (byte) (length >>> 24);
        frame[1] = (byte) (length >>> 16);
        frame[2] = (byte) (length >>> 8);
        frame[3] = (byte) length;
        frame[4] = (byte) (code >>> 24);
        frame[5] = (byte) (code >>> 16);
        frame[6] = (byte) (code >>> 8);
        frame[7] = (byte) code;
        System.arraycopy(body, 0, frame, FrameHeader.LENGTH, body.length);
        return new EncodedFrame(type, plainBody, cipher, frame);
    }

    /**
     * This frame with its body in {@code target}: itself when that is the cipher it was encoded
     * with, otherwise encrypted anew from the plain body (never the ciphertext encrypted twice).
     */
    public EncodedFrame in(BodyCipher target) {
        if (target == cipher) {
            return this;
        }
        EncodedFrame known = other;
        if (known == null || known.cipher != target) {
            known = of(type, plainBody, target); // a race encrypts twice at worst; both results are equal
            other = known;
        }
        return known;
    }

    /** A fresh buffer over the shared bytes: each write gets its own position. */
    public IoBuffer toBuffer() {
        return IoBuffer.wrap(bytes);
    }

    /** Appends the frame's bytes to {@code buffer}. */
    void putInto(IoBuffer buffer) {
        buffer.put(bytes);
    }

    public int length() {
        return bytes.length;
    }
}
