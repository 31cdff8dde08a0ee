package io.github.chatserver.codec;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.DefaultTransportMetadata;
import org.apache.mina.core.session.IoSessionConfig;
import org.apache.mina.filter.codec.ProtocolCodecSession;

/**
 * Feeds bytes into a {@link FrameDecoder} through MINA's dummy {@link ProtocolCodecSession}.
 *
 * <p>The dummy session's default transport metadata says "no fragmentation", in which case
 * {@code CumulativeProtocolDecoder} does not accumulate at all. TCP sessions do fragment, so
 * the session is given metadata with fragmentation on, as MINA's own CumulativeProtocolDecoderTest does.
 */
final class DecoderHarness {
    final FrameDecoder decoder;
    final ProtocolCodecSession session = newTcpLikeSession();

    DecoderHarness(FrameDecoder decoder) {
        this.decoder = decoder;
    }

    static ProtocolCodecSession newTcpLikeSession() {
        ProtocolCodecSession session = new ProtocolCodecSession();
        session.setTransportMetadata(new DefaultTransportMetadata("mina", "test-tcp", false, true,
                SocketAddress.class, IoSessionConfig.class, Object.class));
        return session;
    }

    /** Feeds one network read. */
    DecoderHarness feed(byte[] bytes) throws Exception {
        IoBuffer in = IoBuffer.wrap(bytes.clone());
        decoder.decode(session, in, session.getDecoderOutput());
        return this;
    }

    /** Everything decoded so far, in order; empties the output queue. */
    List<Object> drain() {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = session.getDecoderOutputQueue().poll()) != null) {
            out.add(o);
        }
        return out;
    }
}
