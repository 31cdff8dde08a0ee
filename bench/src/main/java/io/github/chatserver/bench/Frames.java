package io.github.chatserver.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PacketType;
import java.security.GeneralSecurityException;
import org.apache.mina.core.buffer.IoBuffer;

/** Encodes frames once (header + encrypted body) and decodes the few that need decoding. */
final class Frames {
    static final int HEADER = 8;

    private final BodyCipher cipher;

    Frames(BodyCipher cipher) {
        this.cipher = cipher;
    }

    BodyCipher cipher() {
        return cipher;
    }

    byte[] encode(Message body) {
        return encode(PacketType.of(body).code(), body);
    }

    byte[] encode(int type, Message body) {
        byte[] enc = cipher.encrypt(body.toByteArray());
        byte[] frame = new byte[HEADER + enc.length];
        putInt(frame, 0, frame.length);
        putInt(frame, 4, type);
        System.arraycopy(enc, 0, frame, HEADER, enc.length);
        return frame;
    }

    /** The same frame {@code n} times back to back: n messages in one write. */
    static byte[] repeat(byte[] frame, int n) {
        byte[] out = new byte[frame.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(frame, 0, out, i * frame.length, frame.length);
        }
        return out;
    }

    static byte[] concat(java.util.List<byte[]> frames) {
        int total = frames.stream().mapToInt(f -> f.length).sum();
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] f : frames) {
            System.arraycopy(f, 0, out, at, f.length);
            at += f.length;
        }
        return out;
    }

    /** Decrypts and parses one frame body; {@code null} for a type this protocol does not know. */
    Packet decode(int typeCode, IoBuffer buf, int bodyStart, int bodyLength)
            throws GeneralSecurityException, InvalidProtocolBufferException {
        PacketType type = PacketType.ofCode(typeCode);
        if (type == null) {
            return null;
        }
        byte[] body = new byte[bodyLength];
        for (int i = 0; i < bodyLength; i++) {
            body[i] = buf.get(bodyStart + i);
        }
        return new Packet(type, type.parser().parseFrom(cipher.decrypt(body)));
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    /** A text of exactly {@code bytes} ASCII characters, starting with a label. */
    static String text(String label, int bytes) {
        StringBuilder sb = new StringBuilder(bytes);
        sb.append(label);
        while (sb.length() < bytes) {
            sb.append((char) ('a' + sb.length() % 26));
        }
        sb.setLength(bytes);
        return sb.toString();
    }
}
