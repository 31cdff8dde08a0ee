package io.github.chatserver.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.chatserver.protocol.PacketType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecSession;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link FrameDecoder} (docs/development.md "Fuzzing"). The input is a byte stream
 * as a client would send it; it is fed to the decoder the way MINA does (a {@link
 * ProtocolCodecSession} with fragmentation, so the cumulative buffer is used) and checked for:
 *
 * <ul>
 *   <li>only {@link ProtocolViolation} ever escapes the decoder; everything it emits is a {@link
 *       Packet} of a known type whose body is a complete message of that type's class, or an
 *       {@link UnknownPacket} of an unknown type;
 *   <li>the outcome does not depend on how the stream is cut into reads: one read, pseudo-random
 *       reads (derived from the input, so a finding replays) and single bytes all give the same
 *       packets and the same violation;
 *   <li>bounded buffering: after every read, fewer than maxFrameLength bytes are held, the frame
 *       they start declares a length within [8, maxFrameLength] (an oversized header is refused
 *       from its 8 bytes alone), and the buffer's capacity stays within twice maxFrameLength + the
 *       largest read;
 *   <li>after a violation nothing more comes out and nothing more is buffered, whatever follows;
 *   <li>every decoded packet survives encode + decode unchanged.
 * </ul>
 *
 * The same stream also goes through a {@code none} decoder (so the protobuf parsing sees the raw
 * bytes, not AES noise) and through a decoder with a 64-byte frame limit.
 */
class FrameDecoderFuzzTest {
    static final int MAX = FrameHeader.DEFAULT_MAX_FRAME_LENGTH;
    private static final int SMALL_MAX = 64;
    private static final int BYTEWISE_LIMIT = 4096;
    private static final BodyCipher AES = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
    private static final BodyCipher NONE = BodyCipher.forMode(BodyCipher.NONE, BodyCipher.ORIGINAL_CLIENT_KEY);
    /**
     * Two more reads follow the input in every run: valid frames, which must not come out after a
     * violation (when the input ends inside a frame they become part of it).
     */
    private static final byte[] VALID_PING = EncodedFrameBytes.of(Samples.of(PacketType.CLIENT_PING), AES);

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "20s")
    void decode(byte[] input) throws Exception {
        checkCipher(AES, MAX, input, true);
        checkCipher(NONE, MAX, input, false);
        checkCipher(AES, SMALL_MAX, input, false);
    }

    private static void checkCipher(BodyCipher cipher, int max, byte[] input, boolean roundTrip) throws Exception {
        Outcome whole = feed(cipher, max, input, List.of(input.length));
        Outcome random = feed(cipher, max, input, randomCuts(input));
        assertEquals(whole, random, "one read vs. pseudo-random reads");
        if (input.length <= BYTEWISE_LIMIT) {
            assertEquals(whole, feed(cipher, max, input, bytewise(input.length)), "one read vs. single bytes");
        }
        if (roundTrip) {
            for (Object o : whole.decoded) {
                if (o instanceof Packet p) {
                    Outcome again = feed(cipher, Integer.MAX_VALUE - FrameHeader.LENGTH,
                            EncodedFrameBytes.of(p.body(), cipher), List.of());
                    Packet ping = new Packet(PacketType.CLIENT_PING, Samples.of(PacketType.CLIENT_PING));
                    assertEquals(new Outcome(List.of(p, ping, ping), null), again, "encode + decode of " + p.type());
                }
            }
        }
    }

    /** Everything a stream decodes to: the objects emitted, then the violation that ended it, if any. */
    record Outcome(List<Object> decoded, ProtocolViolation.Kind violation) {
    }

    /**
     * Feeds {@code input} cut into reads of the given sizes (the rest, if the sizes do not add up,
     * in one last read), checking the invariants after each read.
     */
    static Outcome feed(BodyCipher cipher, int max, byte[] input, List<Integer> cuts) throws Exception {
        FrameDecoder decoder = new FrameDecoder(cipher, max);
        ProtocolCodecSession session = DecoderHarness.newTcpLikeSession();
        List<Object> decoded = new ArrayList<>();
        ProtocolViolation.Kind violation = null;
        int largestRead = 0;
        List<byte[]> reads = split(input, cuts);
        reads.add(VALID_PING);
        reads.add(VALID_PING);
        for (byte[] read : reads) {
            largestRead = Math.max(largestRead, read.length);
            int before = decoded.size();
            try {
                decoder.decode(session, IoBuffer.wrap(read), session.getDecoderOutput());
            } catch (ProtocolViolation v) {
                if (violation != null) {
                    fail("a second violation after " + violation + ": " + v.reason());
                }
                violation = v.kind();
                assertTrue(v.reason() != null && !v.reason().isBlank(), "a violation says what was wrong");
                drain(session, decoded);
                continue; // whatever else is in the session buffer is checked on the next read
            }
            // Anything else thrown (RuntimeException, Error, another ProtocolDecoderException) is a finding.
            drain(session, decoded);
            if (violation != null) {
                assertEquals(before, decoded.size(), "nothing may be decoded after a violation");
                assertNull(cumulativeBuffer(session), "nothing may be buffered after a violation");
            } else {
                checkBuffered(session, max, largestRead);
            }
        }
        for (Object o : decoded) {
            checkDecoded(o);
        }
        return new Outcome(decoded, violation);
    }

    private static void drain(ProtocolCodecSession session, List<Object> into) {
        Object o;
        while ((o = session.getDecoderOutputQueue().poll()) != null) {
            into.add(o);
        }
    }

    private static void checkDecoded(Object o) {
        if (o instanceof Packet p) {
            assertTrue(p.type() != null, "a packet has a type");
            assertSame(p.type().parser(), p.body().getParserForType(), "body class of " + p.type());
            assertTrue(p.body().isInitialized(), "a decoded " + p.type() + " has every required field");
        } else if (o instanceof UnknownPacket u) {
            assertNull(PacketType.ofCode(u.typeCode()), "type " + u.typeCode() + " is unknown");
            assertTrue(u.typeCode() >= 0 && u.typeCode() <= 0xFFFF_FFFFL, "type is a uint32");
            assertTrue(u.bodyLength() >= 0 && u.bodyLength() <= MAX, "body length " + u.bodyLength());
        } else {
            fail("the decoder emitted " + (o == null ? "null" : o.getClass().getName()));
        }
    }

    /** The decoder's bytes held between reads must stay bounded by the frame limit. */
    private static void checkBuffered(IoSession session, int max, int largestRead) {
        IoBuffer held = cumulativeBuffer(session);
        if (held == null) {
            return;
        }
        int buffered = held.position(); // CumulativeProtocolDecoder keeps it in write mode
        assertTrue(buffered < max, "holds " + buffered + " bytes, not less than maxFrameLength " + max);
        if (buffered >= FrameHeader.LENGTH) {
            long declared = held.getUnsignedInt(0);
            assertTrue(declared >= FrameHeader.LENGTH && declared <= max,
                    "waits for a frame that declares " + declared + " bytes: must have been refused from its header");
            assertTrue(declared > buffered, "a complete frame was left undecoded");
        }
        long bound = 2L * (max + largestRead);
        assertTrue(held.capacity() <= bound,
                "buffer capacity " + held.capacity() + " exceeds 2 x (maxFrameLength + largest read) = " + bound);
    }

    /** CumulativeProtocolDecoder's private session attribute, found by its value's type. */
    static IoBuffer cumulativeBuffer(IoSession session) {
        for (Object key : session.getAttributeKeys()) {
            if (session.getAttribute(key) instanceof IoBuffer buffer) {
                return buffer;
            }
        }
        return null;
    }

    private static List<byte[]> split(byte[] input, List<Integer> cuts) {
        List<byte[]> reads = new ArrayList<>();
        int at = 0;
        for (int size : cuts) {
            if (at >= input.length) {
                break;
            }
            int n = Math.min(size, input.length - at);
            reads.add(Arrays.copyOfRange(input, at, at + n));
            at += n;
        }
        if (at < input.length) {
            reads.add(Arrays.copyOfRange(input, at, input.length));
        }
        return reads;
    }

    /** Read sizes from a PRNG seeded by the input: mostly small, sometimes large, always reproducible. */
    private static List<Integer> randomCuts(byte[] input) {
        Random random = new Random(Arrays.hashCode(input));
        List<Integer> cuts = new ArrayList<>();
        for (int total = 0; total < input.length; ) {
            int size = random.nextInt(4) == 0 ? 1 + random.nextInt(2 * MAX) : 1 + random.nextInt(24);
            cuts.add(size);
            total += size;
        }
        return cuts;
    }

    private static List<Integer> bytewise(int length) {
        return new ArrayList<>(java.util.Collections.nCopies(length, 1));
    }

    /** A frame's bytes, built by the production encoder. */
    static final class EncodedFrameBytes {
        private EncodedFrameBytes() {
        }

        static byte[] of(com.google.protobuf.Message body, BodyCipher cipher) {
            IoBuffer buffer = EncodedFrame.of(Packet.of(body), cipher).toBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
    }
}
