package io.github.chatserver.bench.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import io.github.chatserver.protocol.PbC2CTextChat;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** protobuf-java on a one-to-one text with a 64-byte text: build + serialize, parse, and the round trip. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProtobufBench {
    private byte[] bytes;

    @Setup
    public void setup() {
        bytes = Samples.text().toByteArray();
    }

    @Benchmark
    public byte[] serialize() {
        return PbC2CTextChat.newBuilder().setFromUuid("alice-0001").setToUuid("bob-0002").setTextMsg(Samples.TEXT_64)
                .setTimestamp(1_764_000_000L).build().toByteArray();
    }

    @Benchmark
    public PbC2CTextChat parse() throws InvalidProtocolBufferException {
        return PbC2CTextChat.parseFrom(bytes);
    }

    /** What the server does per relayed text: parse, set the real sender and time, serialize. */
    @Benchmark
    public byte[] roundTrip() throws InvalidProtocolBufferException {
        return PbC2CTextChat.parseFrom(bytes).toBuilder().setFromUuid("alice-0001").setTimestamp(1_764_000_001L)
                .build().toByteArray();
    }
}
