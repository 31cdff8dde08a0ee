package io.github.chatserver.codec;

import static io.github.chatserver.codec.FrameBytes.aesEncrypt;
import static io.github.chatserver.codec.FrameBytes.aesFrame;
import static io.github.chatserver.codec.FrameBytes.concat;
import static io.github.chatserver.codec.FrameBytes.frame;
import static io.github.chatserver.codec.FrameBytes.header;
import static io.github.chatserver.codec.FrameBytes.hex;
import static io.github.chatserver.codec.FrameBytes.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbClientPing;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.crypto.BadPaddingException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** FrameDecoder against hand-built frames (docs/PROTOCOL.md §1-3). */
class FrameDecoderTest {
    private static final int MAX = FrameHeader.DEFAULT_MAX_FRAME_LENGTH;
    static final BodyCipher AES = BodyCipher.forMode(BodyCipher.LEGACY_AES, "12345abcdef67890");
    static final BodyCipher NONE = BodyCipher.forMode(BodyCipher.NONE, "12345abcdef67890");

    /** Type 5 "alice" -> "bob" "hi", legacy-aes, 40 bytes. */
    private static final byte[] C2C_FRAME = aesFrame(5, Samples.c2cHiPlain());
    private static final Packet C2C_PACKET = new Packet(PacketType.C2C_TEXT_CHAT, Samples.c2cHi());

    private static DecoderHarness aes() {
        return new DecoderHarness(new FrameDecoder(AES, MAX));
    }

    private static ProtocolViolation violation(DecoderHarness h, byte[] input) {
        return assertThrows(ProtocolViolation.class, () -> h.feed(input));
    }

    @Nested
    class Framing {
        @Test
        void theVectorsThemselvesAreRight() throws Exception {
            // the hand-built vectors against javax.crypto and protobuf
            assertArrayEquals(Samples.c2cHiPlain(), FrameBytes.aesDecrypt(slice(C2C_FRAME, 8, 40)));
            assertArrayEquals(Samples.c2cHiPlain(), Samples.c2cHi().toByteArray());
        }

        @Test
        void handBuiltFrameDecodesToTheMessage() throws Exception {
            assertEquals(40, C2C_FRAME.length, "8 header + 22 plaintext bytes padded to 32");
            assertEquals("0000002800000005", hex(slice(C2C_FRAME, 0, 8)));

            List<Object> out = aes().feed(C2C_FRAME).drain();

            assertEquals(1, out.size());
            Packet p = assertInstanceOf(Packet.class, out.get(0));
            assertEquals(PacketType.C2C_TEXT_CHAT, p.type());
            PbC2CTextChat chat = p.body(PbC2CTextChat.class);
            assertEquals("alice", chat.getFromUuid());
            assertEquals("bob", chat.getToUuid());
            assertEquals("hi", chat.getTextMsg());
            assertEquals(Samples.TS, chat.getTimestamp());
            assertEquals(C2C_PACKET, p);
        }

        @Test
        void splitAtEveryByteBoundary() throws Exception {
            for (int cut = 1; cut < C2C_FRAME.length; cut++) {
                DecoderHarness h = aes();
                h.feed(slice(C2C_FRAME, 0, cut));
                assertEquals(List.of(), h.drain(), "nothing may come out of " + cut + " bytes");
                h.feed(slice(C2C_FRAME, cut, C2C_FRAME.length));
                assertEquals(List.of(C2C_PACKET), h.drain(), "split at byte " + cut);
            }
        }

        @Test
        void oneByteAtATime() throws Exception {
            byte[] twoFrames = concat(C2C_FRAME, C2C_FRAME);
            DecoderHarness h = aes();
            for (int i = 0; i < twoFrames.length; i++) {
                h.feed(new byte[] {twoFrames[i]});
                List<Object> out = h.drain();
                boolean frameEnds = i == C2C_FRAME.length - 1 || i == twoFrames.length - 1;
                assertEquals(frameEnds ? List.of(C2C_PACKET) : List.of(), out, "after byte " + i);
            }
        }

        @Test
        void coalescedFramesDecodeInOrderAndUnknownTypesAreSkipped() throws Exception {
            PbClientPing ping = PbClientPing.newBuilder().setPing(true).setTimestamp(7).build();
            byte[] input = concat(
                    C2C_FRAME,
                    frame(99, hex("0102030405")), // unknown type: 5-byte body, not even a cipher block
                    aesFrame(4, hex("0801 1007")), // ping=true, timestamp=7, encoded by hand
                    frame(0, new byte[0]), // type 0 is not a packet type
                    frame(0xFFFFFFFFL, hex("AABBCC")), // the largest uint32 type
                    C2C_FRAME);

            List<Object> out = aes().feed(input).drain();

            assertEquals(List.of(
                    C2C_PACKET,
                    new UnknownPacket(99, 5),
                    new Packet(PacketType.CLIENT_PING, ping),
                    new UnknownPacket(0, 0),
                    new UnknownPacket(0xFFFFFFFFL, 3),
                    C2C_PACKET), out);
        }

        @Test
        void coalescedWithAPartialTailKeepsTheTail() throws Exception {
            DecoderHarness h = aes();
            h.feed(concat(C2C_FRAME, frame(99, new byte[3]), slice(C2C_FRAME, 0, 11)));
            assertEquals(List.of(C2C_PACKET, new UnknownPacket(99, 3)), h.drain());
            h.feed(slice(C2C_FRAME, 11, C2C_FRAME.length));
            assertEquals(List.of(C2C_PACKET), h.drain());
        }

        @Test
        void unknownTypeSplitAcrossReads() throws Exception {
            byte[] unknown = frame(1000, new byte[20]);
            DecoderHarness h = aes();
            h.feed(slice(unknown, 0, 15));
            assertEquals(List.of(), h.drain());
            h.feed(concat(slice(unknown, 15, unknown.length), C2C_FRAME));
            assertEquals(List.of(new UnknownPacket(1000, 20), C2C_PACKET), h.drain());
        }

        @Test
        void lengthEightIsAnEmptyBody() throws Exception {
            assertEquals(List.of(new UnknownPacket(99, 0)), aes().feed(header(8, 99)).drain());
        }

        @Test
        void lengthEqualToMaxFrameLengthIsAccepted() throws Exception {
            DecoderHarness h = new DecoderHarness(new FrameDecoder(AES, 64));
            h.feed(frame(99, new byte[56]));
            assertEquals(List.of(new UnknownPacket(99, 56)), h.drain());
        }

        @Test
        void newerClientsMayAddOptionalFields() throws Exception {
            // field 9, length-delimited "x": unknown to this server, must be tolerated
            byte[] plain = concat(Samples.c2cHiPlain(), hex("4A 01 78"));
            Packet p = (Packet) aes().feed(aesFrame(5, plain)).drain().get(0);
            PbC2CTextChat chat = p.body(PbC2CTextChat.class);
            assertEquals("alice", chat.getFromUuid());
            assertEquals("hi", chat.getTextMsg());
            assertEquals(Samples.TS, chat.getTimestamp());
        }

        @Test
        void originalClientLoginWithoutTokenDecodes() throws Exception {
            // uuid "u1", version 1.5f (fixed32 little-endian), timestamp 1; no field 4
            byte[] plain = hex("0A 02 7531  15 0000C03F  18 01");
            Packet p = (Packet) aes().feed(aesFrame(1, plain)).drain().get(0);
            assertEquals(PacketType.CLIENT_LOGIN, p.type());
            PbClientLogin login = p.body(PbClientLogin.class);
            assertEquals("u1", login.getUuid());
            assertEquals(1.5f, login.getVersion());
            assertEquals(1L, login.getTimestamp());
            assertFalse(login.hasToken());
        }

        @Test
        void maxFrameLengthBelowHeaderIsRejected() {
            assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(AES, 7));
        }
    }

    @Nested
    class FrameLength {
        @ParameterizedTest
        @ValueSource(longs = {0, 1, 7})
        void belowEightIsRejectedAsSoonAsTheHeaderIsComplete(long length) throws Exception {
            byte[] header = header(length, 5);
            DecoderHarness h = aes();
            h.feed(slice(header, 0, 7)); // not yet a header: no verdict
            assertEquals(List.of(), h.drain());

            ProtocolViolation v = violation(h, slice(header, 7, 8));

            assertEquals(ProtocolViolation.Kind.FRAME_LENGTH, v.kind());
            assertEquals(List.of(), h.drain());
        }

        @ParameterizedTest
        @ValueSource(longs = {MAX + 1, 65536, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL})
        void aboveMaxIsRejectedFromTheHeaderAlone(long length) {
            DecoderHarness h = aes();
            ProtocolViolation v = violation(h, header(length, 5)); // no body at all
            assertEquals(ProtocolViolation.Kind.FRAME_LENGTH, v.kind());
            assertEquals(List.of(), h.drain());
        }

        @Test
        void lengthIsReadAsUnsigned() {
            ProtocolViolation v = violation(aes(), hex("FFFFFFFF 00000005"));
            assertEquals(ProtocolViolation.Kind.FRAME_LENGTH, v.kind());
            assertTrue(v.getMessage().contains("4294967295"),
                    "0xFFFFFFFF is 4294967295, not -1: " + v.getMessage());
        }

        @Test
        void configuredMaxApplies() throws Exception {
            DecoderHarness h = new DecoderHarness(new FrameDecoder(AES, 64));
            assertEquals(ProtocolViolation.Kind.FRAME_LENGTH, violation(h, header(65, 99)).kind());
        }

        @Test
        void validFramesBeforeTheViolationAreStillDelivered() {
            DecoderHarness h = aes();
            ProtocolViolation v = violation(h, concat(C2C_FRAME, header(7, 5), C2C_FRAME));
            assertEquals(ProtocolViolation.Kind.FRAME_LENGTH, v.kind());
            assertEquals(List.of(C2C_PACKET), h.drain(), "the frame after the bad header is not decoded");
        }
    }

    /** Bad frames of every kind, for the "poisoned session" tests. */
    static Stream<Arguments> badFrames() {
        return Stream.of(
                Arguments.of("length 0", header(0, 5), ProtocolViolation.Kind.FRAME_LENGTH),
                Arguments.of("length over max", header(MAX + 1, 5), ProtocolViolation.Kind.FRAME_LENGTH),
                Arguments.of("15-byte aes body", frame(5, new byte[15]), ProtocolViolation.Kind.CIPHER),
                Arguments.of("garbage plaintext", aesFrame(5, hex("0F")), ProtocolViolation.Kind.MALFORMED_BODY));
    }

    @Nested
    class AfterAViolation {
        @ParameterizedTest(name = "{0}")
        @MethodSource("io.github.chatserver.codec.FrameDecoderTest#badFrames")
        void furtherInputIsDiscarded(String name, byte[] bad, ProtocolViolation.Kind kind) throws Exception {
            DecoderHarness h = aes();
            assertEquals(kind, violation(h, bad).kind());

            h.feed(C2C_FRAME);
            h.feed(slice(C2C_FRAME, 0, 5));
            h.feed(slice(C2C_FRAME, 5, C2C_FRAME.length));
            h.feed(header(0, 5)); // not even a second violation

            assertEquals(List.of(), h.drain());
        }

        @Test
        void bytesAfterTheBadFrameInTheSameReadAreDiscarded() throws Exception {
            DecoderHarness h = aes();
            violation(h, concat(frame(5, new byte[15]), C2C_FRAME));
            assertEquals(List.of(), h.drain());
            h.feed(C2C_FRAME);
            assertEquals(List.of(), h.drain());
        }

        @Test
        void otherSessionsOfTheSameDecoderAreUnaffected() throws Exception {
            FrameDecoder shared = new FrameDecoder(AES, MAX);
            DecoderHarness good = new DecoderHarness(shared);
            DecoderHarness bad = new DecoderHarness(shared);

            good.feed(slice(C2C_FRAME, 0, 20)); // half a frame buffered in the good session
            violation(bad, header(3, 5));
            violation(new DecoderHarness(shared), frame(5, new byte[17]));
            good.feed(slice(C2C_FRAME, 20, C2C_FRAME.length));
            good.feed(C2C_FRAME);

            assertEquals(List.of(C2C_PACKET, C2C_PACKET), good.drain());
        }
    }

    @Nested
    class Cipher {
        @ParameterizedTest
        @ValueSource(ints = {1, 8, 15, 17, 31, 33})
        void bodyNotAMultipleOf16(int size) {
            byte[] body = slice(aesEncrypt(new byte[40]), 0, size); // real ciphertext, cut short
            ProtocolViolation v = violation(aes(), frame(5, body));
            assertEquals(ProtocolViolation.Kind.CIPHER, v.kind());
            assertInstanceOf(GeneralSecurityException.class, v.getCause());
        }

        @Test
        void emptyBody() {
            ProtocolViolation v = violation(aes(), header(8, 5));
            assertEquals(ProtocolViolation.Kind.CIPHER, v.kind());
        }

        @Test
        void deterministicRandomBytesWithBadPadding() throws Exception {
            byte[] body = new byte[32];
            new Random(20150101L).nextBytes(body);
            // the premise, checked with javax.crypto: these bytes do not decrypt to valid padding
            assertThrows(BadPaddingException.class, () -> FrameBytes.aesDecrypt(body));

            ProtocolViolation v = violation(aes(), frame(5, body));

            assertEquals(ProtocolViolation.Kind.CIPHER, v.kind());
            assertInstanceOf(GeneralSecurityException.class, v.getCause());
        }

        /** Last plaintext blocks with invalid PKCS#7 padding, encrypted without padding. */
        @ParameterizedTest
        @ValueSource(strings = {
            "000102030405060708090A0B0C0D0E00", // ends in 00: a zero pad length
            "000102030405060708090A0B0C0D0E11", // ends in 11: pad length 17 > block
            "000102030405060708090A0B0C0D0302", // says 2, but the byte before is 03
            "0F101010101010101010101010101010", // says 16, but the first byte is 0F
        })
        void craftedBadPadding(String lastBlock) throws Exception {
            assertEquals(16, hex(lastBlock).length);
            byte[] body = FrameBytes.aesEncryptNoPadding(concat(hex("0A05616C69636512036262621A026869"), hex(lastBlock)));
            assertThrows(BadPaddingException.class, () -> FrameBytes.aesDecrypt(body));

            assertEquals(ProtocolViolation.Kind.CIPHER, violation(aes(), frame(5, body)).kind());
        }

        @Test
        void aFailedDecryptDoesNotSpoilTheNextOne() throws Exception {
            // same thread, same cipher instance: the decoder must recover its decryptor
            byte[] badPadding = FrameBytes.aesEncryptNoPadding(new byte[32]);
            violation(aes(), frame(5, badPadding));
            assertEquals(List.of(C2C_PACKET), aes().feed(C2C_FRAME).drain());
        }
    }

    @Nested
    class MalformedBody {
        @ParameterizedTest
        @ValueSource(strings = {
            "0F", // field 1 with wire type 7: no such wire type
            "00", // tag 0
            "0A7F61", // length-delimited 127 bytes, only 1 present
            "FFFFFFFFFFFFFFFFFFFFFF", // an 11-byte varint
            "", // empty: every required field missing
            "0801 1007", // a ping's body under type 5: wrong wire types, required fields missing
        })
        void garbagePlaintextEncryptedCorrectly(String plainHex) {
            ProtocolViolation v = violation(aes(), aesFrame(5, hex(plainHex)));
            assertEquals(ProtocolViolation.Kind.MALFORMED_BODY, v.kind());
            assertInstanceOf(InvalidProtocolBufferException.class, v.getCause());
        }

        @Test
        void loginWithoutUuid() throws Exception {
            byte[] partial = PbClientLogin.newBuilder().setVersion(1.5f).setTimestamp(1).buildPartial().toByteArray();
            assertEquals("150000C03F1801", hex(partial), "version 1.5f, timestamp 1, no field 1");

            ProtocolViolation v = violation(aes(), aesFrame(1, partial));

            assertEquals(ProtocolViolation.Kind.MALFORMED_BODY, v.kind());
        }

        @Test
        void chatWithoutTimestamp() {
            byte[] plain = hex("0A 05 616C696365  12 03 626F62  1A 02 6869"); // field 4 missing
            assertEquals(ProtocolViolation.Kind.MALFORMED_BODY, violation(aes(), aesFrame(5, plain)).kind());
        }

        @Test
        void plainModeGarbage() {
            DecoderHarness h = new DecoderHarness(new FrameDecoder(NONE, MAX));
            ProtocolViolation v = violation(h, frame(5, hex("0F")));
            assertEquals(ProtocolViolation.Kind.MALFORMED_BODY, v.kind());
        }

        @Test
        void plainModeDecodesTheRawProtobuf() throws Exception {
            DecoderHarness h = new DecoderHarness(new FrameDecoder(NONE, MAX));
            assertEquals(List.of(C2C_PACKET), h.feed(frame(5, Samples.c2cHiPlain())).drain());
            // an AES frame on a plain listener is garbage
            assertEquals(ProtocolViolation.Kind.MALFORMED_BODY,
                    violation(new DecoderHarness(new FrameDecoder(NONE, MAX)), C2C_FRAME).kind());
        }
    }
}
