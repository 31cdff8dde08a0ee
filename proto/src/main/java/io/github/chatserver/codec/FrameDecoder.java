package io.github.chatserver.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.github.chatserver.protocol.PacketType;
import java.security.GeneralSecurityException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.CumulativeProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolDecoderOutput;

/**
 * Cuts the byte stream into frames (docs/PROTOCOL.md §1), decrypts and parses each body.
 *
 * <p>The declared length is checked as soon as the 8 header bytes are there, so a frame that
 * claims to be larger than {@code maxFrameLength} is refused before its body is buffered.
 * After the first violation the rest of the connection's input is discarded: the connection
 * is about to be closed and nothing it sends may be acted on. State lives in session
 * attributes only, so one decoder serves all sessions.
 */
public class FrameDecoder extends CumulativeProtocolDecoder {
    private static final AttributeKey POISONED = new AttributeKey(FrameDecoder.class, "poisoned");

    private final BodyCipher cipher;
    private final int maxFrameLength;

    public FrameDecoder(BodyCipher cipher, int maxFrameLength) {
        if (maxFrameLength < FrameHeader.LENGTH) {
            throw new IllegalArgumentException("maxFrameLength must be at least " + FrameHeader.LENGTH);
        }
        this.cipher = cipher;
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected boolean doDecode(IoSession session, IoBuffer in, ProtocolDecoderOutput out) throws Exception {
        if (session.containsAttribute(POISONED)) {
            in.position(in.limit());
            return false;
        }
        if (in.remaining() < FrameHeader.LENGTH) {
            return false;
        }
        int start = in.position();
        long length = in.getUnsignedInt(start);
        long typeCode = in.getUnsignedInt(start + 4);
        if (length < FrameHeader.LENGTH || length > maxFrameLength) {
            throw poison(session, in, new ProtocolViolation(ProtocolViolation.Kind.FRAME_LENGTH,
                    "Frame length " + length + " outside [" + FrameHeader.LENGTH + ", " + maxFrameLength + "]"));
        }
        if (in.remaining() < length) {
            return false;
        }
        int bodyLength = (int) length - FrameHeader.LENGTH;
        in.position(start + FrameHeader.LENGTH);
        PacketType type = PacketType.ofCode(typeCode);
        if (type == null) {
            in.skip(bodyLength);
            out.write(new UnknownPacket(typeCode, bodyLength));
            return true;
        }
        byte[] body = new byte[bodyLength];
        in.get(body);
        out.write(new Packet(type, parse(session, in, type, body)));
        return true;
    }

    private Message parse(IoSession session, IoBuffer in, PacketType type, byte[] body) throws ProtocolViolation {
        byte[] plain;
        try {
            plain = cipher.decrypt(body);
        } catch (GeneralSecurityException e) {
            throw poison(session, in, new ProtocolViolation(ProtocolViolation.Kind.CIPHER,
                    "Undecryptable " + type + " body: " + e.getMessage(), e));
        }
        try {
            return type.parser().parseFrom(plain);
        } catch (InvalidProtocolBufferException e) {
            throw poison(session, in, new ProtocolViolation(ProtocolViolation.Kind.MALFORMED_BODY,
                    "Invalid " + type + " body: " + e.getMessage(), e));
        }
    }

    private static ProtocolViolation poison(IoSession session, IoBuffer in, ProtocolViolation violation) {
        session.setAttribute(POISONED, Boolean.TRUE);
        in.position(in.limit());
        return violation;
    }
}
