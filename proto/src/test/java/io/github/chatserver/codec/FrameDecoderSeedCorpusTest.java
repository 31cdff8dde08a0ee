package io.github.chatserver.codec;


import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.testing.SeedCorpus;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed corpus of {@link FrameDecoderFuzzTest#decode}: valid legacy-aes frames of every packet
 * type, a short session as one stream, frames of the largest size, an unknown type and an
 * oversized header. Generated here from {@link Samples} and the production encoder; this test
 * fails when the files in src/test/resources differ from what the code generates, and rewrites
 * them when run with {@code -Dfuzz.writeSeeds=true}. Files there whose names start with {@code crash-} or
 * {@code timeout-} are findings kept as regression inputs and are left alone.
 */
class FrameDecoderSeedCorpusTest {
    static final Path DIR = Path.of("src/test/resources/io/github/chatserver/codec/FrameDecoderFuzzTestInputs/decode");
    private static final BodyCipher AES = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (PacketType type : PacketType.values()) {
            seeds.put(String.format("seed-type-%02d-%s", type.code(), type.name().toLowerCase(Locale.ROOT).replace('_', '-')),
                    frame(type));
        }
        seeds.put("seed-stream-login-chat-ping-logout", concat(frame(PacketType.CLIENT_LOGIN),
                frame(PacketType.C2C_TEXT_CHAT), frame(PacketType.CLIENT_PING), frame(PacketType.CLIENT_LOGOUT)));
        // Frames at the size limit: libFuzzer's length limit starts at the largest seed.
        seeds.put("seed-largest-frame", largestFrame('a'));
        seeds.put("seed-two-largest-frames", concat(largestFrame('b'), largestFrame('c')));
        seeds.put("seed-unknown-type-99", new byte[] {0, 0, 0, 13, 0, 0, 0, 99, 1, 2, 3, 4, 5});
        seeds.put("seed-oversized-header", new byte[] {-1, -1, -1, -1, 0, 0, 0, 5});
        return seeds;
    }

    /** The largest legacy-aes frame within 8192 bytes: 8 + 8176 (a 16-byte multiple), a type 5 text. */
    static byte[] largestFrame(char fill) {
        PbC2CTextChat.Builder text = PbC2CTextChat.newBuilder().setFromUuid("alice").setToUuid("bob").setTimestamp(Samples.TS);
        int length = 0;
        for (int n = 8000; length <= FrameHeader.DEFAULT_MAX_FRAME_LENGTH; n++) {
            byte[] frame = FrameDecoderFuzzTest.EncodedFrameBytes.of(text.setTextMsg(String.valueOf(fill).repeat(n)).build(), AES);
            if (frame.length > FrameHeader.DEFAULT_MAX_FRAME_LENGTH) {
                return FrameDecoderFuzzTest.EncodedFrameBytes.of(text.setTextMsg(String.valueOf(fill).repeat(n - 1)).build(), AES);
            }
            length = frame.length;
        }
        throw new IllegalStateException("unreachable");
    }

    private static byte[] frame(PacketType type) {
        return FrameDecoderFuzzTest.EncodedFrameBytes.of(Samples.of(type), AES);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void committedSeedsAreWhatTheCodeGenerates() throws Exception {
        SeedCorpus.assertCommitted(DIR, seeds());
    }
}
