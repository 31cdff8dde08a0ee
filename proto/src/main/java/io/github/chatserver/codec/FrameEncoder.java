package io.github.chatserver.codec;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolEncoderAdapter;
import org.apache.mina.filter.codec.ProtocolEncoderOutput;

/**
 * Writes a {@link Packet} as header + encrypted body. An {@link EncodedFrame} is written as is
 * when it was encoded with this encoder's cipher (that is how one group message, encrypted once,
 * goes to many members), else in this encoder's cipher ({@link EncodedFrame#in}). A
 * {@link FrameBatch} is written as one buffer holding its frames in order.
 */
public class FrameEncoder extends ProtocolEncoderAdapter {
    private final BodyCipher cipher;

    public FrameEncoder(BodyCipher cipher) {
        this.cipher = cipher;
    }

    @Override
    public void encode(IoSession session, Object message, ProtocolEncoderOutput out) {
        if (message instanceof FrameBatch batch) {
            out.write(batch.toBuffer(cipher));
            return;
        }
        EncodedFrame frame = message instanceof EncodedFrame encoded
                ? encoded.in(cipher)
                : EncodedFrame.of((Packet) message, cipher);
        out.write(frame.toBuffer());
    }
}
