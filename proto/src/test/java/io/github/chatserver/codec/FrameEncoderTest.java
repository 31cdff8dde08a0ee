package io.github.chatserver.codec;

import static io.github.chatserver.codec.FrameBytes.aesEncrypt;
import static io.github.chatserver.codec.FrameBytes.concat;
import static io.github.chatserver.codec.FrameBytes.hex;
import static io.github.chatserver.codec.FrameBytes.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.Message;
import io.github.chatserver.protocol.PacketType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.filter.codec.ProtocolCodecSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** FrameEncoder and EncodedFrame against hand-built bytes, and encode -> decode round trips. */
class FrameEncoderTest {
    private static final BodyCipher AES = FrameDecoderTest.AES;
    private static final BodyCipher NONE = FrameDecoderTest.NONE;

    /** Runs the encoder through MINA's dummy session and returns the single buffer it wrote, as bytes. */
    private static byte[] encode(BodyCipher cipher, Object message) throws Exception {
        ProtocolCodecSession session = new ProtocolCodecSession();
        new FrameEncoder(cipher).encode(session, message, session.getEncoderOutput());
        IoBuffer written = assertInstanceOf(IoBuffer.class, session.getEncoderOutputQueue().poll());
        assertNull(session.getEncoderOutputQueue().poll(), "one frame, one buffer");
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        return bytes;
    }

    @Test
    void protobufEncodingMatchesTheContractFieldNumbers() {
        assertEquals(hex(Samples.c2cHiPlain()), hex(Samples.c2cHi().toByteArray()));
    }

    @Test
    void legacyAesFrameIsHeaderThenJavaxCryptoCiphertext() throws Exception {
        byte[] ciphertext = aesEncrypt(Samples.c2cHiPlain());
        assertEquals(32, ciphertext.length, "22 plaintext bytes pad to two blocks");
        byte[] expected = concat(hex("00000028 00000005"), ciphertext); // length 40 = 8 + 32, type 5

        assertArrayEquals(expected, encode(AES, Packet.of(Samples.c2cHi())));
        // the cipher must start from IV = key again for the next body
        assertArrayEquals(expected, encode(AES, Packet.of(Samples.c2cHi())));
    }

    @Test
    void plainFrameIsHeaderThenProtobuf() throws Exception {
        byte[] expected = concat(hex("0000001E 00000005"), Samples.c2cHiPlain()); // 30 = 8 + 22
        assertArrayEquals(expected, encode(NONE, Packet.of(Samples.c2cHi())));
    }

    @Test
    void encodedFrameHasTheSameBytes() throws Exception {
        EncodedFrame frame = EncodedFrame.of(Packet.of(Samples.c2cHi()), AES);
        byte[] expected = concat(hex("00000028 00000005"), aesEncrypt(Samples.c2cHiPlain()));
        assertEquals(40, frame.length());
        assertArrayEquals(expected, bytes(frame.toBuffer()));
    }

    @Test
    void eachBufferOfAnEncodedFrameHasItsOwnPosition() {
        EncodedFrame frame = EncodedFrame.of(Packet.of(Samples.c2cHi()), AES);
        IoBuffer first = frame.toBuffer();
        first.get(new byte[first.remaining()]); // as if written out
        IoBuffer second = frame.toBuffer();
        assertEquals(0, second.position());
        assertEquals(40, second.remaining());
    }

    @Test
    void anEncodedFrameInTheEncodersCipherIsWrittenAsIs() throws Exception {
        EncodedFrame plain = EncodedFrame.of(Packet.of(Samples.c2cHi()), NONE);
        byte[] expected = concat(hex("0000001E 00000005"), Samples.c2cHiPlain());
        assertArrayEquals(expected, encode(NONE, plain));
        assertSame(plain, plain.in(NONE), "no second encoding");
    }

    @Test
    void anEncodedFrameIsWrittenInTheEncodersCipherEncryptedFromThePlainBody() throws Exception {
        // One server, two listeners: a frame encoded for the TLS listener (none) goes to a legacy-aes session.
        EncodedFrame plain = EncodedFrame.of(Packet.of(Samples.c2cHi()), NONE);
        byte[] expected = concat(hex("00000028 00000005"), aesEncrypt(Samples.c2cHiPlain()));
        assertArrayEquals(expected, encode(AES, plain), "encrypted once, from the plaintext");
        assertArrayEquals(concat(hex("0000001E 00000005"), Samples.c2cHiPlain()),
                encode(NONE, EncodedFrame.of(Packet.of(Samples.c2cHi()), AES)), "and back");
        assertSame(plain.in(AES), plain.in(AES), "encrypted once per cipher, then kept");
    }

    static Stream<Arguments> everyTypeAndMode() {
        return Stream.of(PacketType.values())
                .flatMap(t -> Stream.of(Arguments.of(t, BodyCipher.LEGACY_AES), Arguments.of(t, BodyCipher.NONE)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyTypeAndMode")
    void roundTrip(PacketType type, String mode) throws Exception {
        BodyCipher cipher = BodyCipher.forMode(mode, BodyCipher.ORIGINAL_CLIENT_KEY);
        Message message = Samples.of(type);
        Packet packet = Packet.of(message);
        assertEquals(type, packet.type());

        byte[] wire = encode(cipher, packet);

        // header, read by hand
        long length = ((wire[0] & 0xFFL) << 24) | ((wire[1] & 0xFF) << 16) | ((wire[2] & 0xFF) << 8) | (wire[3] & 0xFF);
        long code = ((wire[4] & 0xFFL) << 24) | ((wire[5] & 0xFF) << 16) | ((wire[6] & 0xFF) << 8) | (wire[7] & 0xFF);
        assertEquals(wire.length, length);
        assertEquals(type.code(), code);
        // body, checked with javax.crypto / as raw protobuf
        byte[] body = slice(wire, 8, wire.length);
        byte[] expectedBody = mode.equals(BodyCipher.LEGACY_AES)
                ? aesEncrypt(message.toByteArray())
                : message.toByteArray();
        assertArrayEquals(expectedBody, body);

        DecoderHarness h = new DecoderHarness(new FrameDecoder(cipher, FrameHeader.DEFAULT_MAX_FRAME_LENGTH));
        assertEquals(List.of(packet), h.feed(wire).drain());
    }

    @Test
    void everyTypeInOneStreamCutIntoOddChunks() throws Exception {
        List<Object> expected = new ArrayList<>();
        byte[] stream = new byte[0];
        for (PacketType t : PacketType.values()) {
            Packet p = Packet.of(Samples.of(t));
            expected.add(p);
            stream = concat(stream, encode(AES, p));
        }
        DecoderHarness h = new DecoderHarness(new FrameDecoder(AES, FrameHeader.DEFAULT_MAX_FRAME_LENGTH));
        List<Object> out = new ArrayList<>();
        for (int at = 0; at < stream.length; at += 7) {
            h.feed(slice(stream, at, Math.min(stream.length, at + 7)));
            out.addAll(h.drain());
        }
        assertEquals(expected, out);
    }

    private static byte[] bytes(IoBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
