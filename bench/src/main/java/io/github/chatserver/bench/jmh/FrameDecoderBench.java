package io.github.chatserver.bench.jmh;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.FrameDecoder;
import io.github.chatserver.codec.FrameHeader;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PacketType;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.DummySession;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.AbstractProtocolDecoderOutput;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The server's FrameDecoder on one read holding 16 complete one-to-one texts (64-byte texts):
 * cutting frames, decrypting and parsing each body. The time is per frame. {@code cipher=none}
 * shows how much of it is AES.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameDecoderBench {
    static final int FRAMES = 16;

    @Param({"legacy-aes", "none"})
    public String cipher;

    private FrameDecoder decoder;
    private IoSession session;
    private IoBuffer read;
    private Output out;

    @Setup(Level.Trial)
    public void setup() {
        BodyCipher c = BodyCipher.forMode(cipher, BodyCipher.ORIGINAL_CLIENT_KEY);
        decoder = new FrameDecoder(c, FrameHeader.DEFAULT_MAX_FRAME_LENGTH);
        session = new DummySession();
        byte[] body = c.encrypt(Samples.text().toByteArray());
        int length = FrameHeader.LENGTH + body.length;
        read = IoBuffer.allocate(length * FRAMES);
        for (int i = 0; i < FRAMES; i++) {
            read.putInt(length).putInt(PacketType.C2C_TEXT_CHAT.code()).put(body);
        }
        read.flip();
        out = new Output();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void decode16(Blackhole bh) throws Exception {
        read.position(0);
        out.bh = bh;
        decoder.decode(session, read, out);
        if (out.count != FRAMES) {
            throw new IllegalStateException("decoded " + out.count + " frames");
        }
        out.count = 0;
    }

    static final class Output extends AbstractProtocolDecoderOutput {
        Blackhole bh;
        int count;

        @Override
        public void write(Object message) {
            bh.consume(((Packet) message).body());
            count++;
        }
    }
}
