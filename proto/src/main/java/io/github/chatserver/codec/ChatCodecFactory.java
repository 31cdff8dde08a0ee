package io.github.chatserver.codec;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFactory;
import org.apache.mina.filter.codec.ProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolEncoder;

/** The codec of one listener (or one client): both directions share the cipher and frame limit. */
public class ChatCodecFactory implements ProtocolCodecFactory {
    private final FrameEncoder encoder;
    private final FrameDecoder decoder;

    public ChatCodecFactory(BodyCipher cipher, int maxFrameLength) {
        this.encoder = new FrameEncoder(cipher);
        this.decoder = new FrameDecoder(cipher, maxFrameLength);
    }

    @Override
    public ProtocolEncoder getEncoder(IoSession session) {
        return encoder;
    }

    @Override
    public ProtocolDecoder getDecoder(IoSession session) {
        return decoder;
    }
}
