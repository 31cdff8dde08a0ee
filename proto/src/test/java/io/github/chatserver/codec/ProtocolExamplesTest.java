package io.github.chatserver.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbClientPing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of docs/PROTOCOL.md §1 and §2 are what this codec makes and reads, byte for
 * byte: a client author copies them, so a wrong byte there would cost someone a day.
 */
class ProtocolExamplesTest {
    /** Surefire runs in the module's directory; the docs are one level up. */
    private static final Path PROTOCOL = Path.of("..", "docs", "PROTOCOL.md");
    private static final long TIMESTAMP = 1_700_000_000L;
    private static final HexFormat SPACED = HexFormat.ofDelimiter(" ");

    private static String doc;

    @BeforeAll
    static void read() throws IOException {
        doc = Files.readString(PROTOCOL);
    }

    @Test
    void thePingExample() throws Exception {
        PbClientPing ping = PbClientPing.newBuilder().setPing(true).setTimestamp(TIMESTAMP).build();
        byte[] legacyAes = assertExample("ping", ping, FrameDecoderTest.AES);
        assertEquals(24, legacyAes.length);
        assertExample("ping in cipher none", ping, FrameDecoderTest.NONE);
    }

    @Test
    void theLoginExample() throws Exception {
        PbClientLogin login = PbClientLogin.newBuilder().setUuid("alice").setVersion(1.0f).setTimestamp(TIMESTAMP).build();
        byte[] legacyAes = assertExample("login", login, FrameDecoderTest.AES);
        assertEquals(40, legacyAes.length);
    }

    /**
     * The message's protobuf body, its encrypted body and its whole frame are written in the doc,
     * and the documented frame decodes to the message again. Returns the frame.
     */
    private static byte[] assertExample(String name, Message message, BodyCipher cipher) throws Exception {
        byte[] plain = message.toByteArray();
        byte[] body = cipher.encrypt(plain);
        byte[] frame = EncodedFrame.of(Packet.of(message), cipher).toBuffer().array();
        for (byte[] shown : List.of(plain, body, frame)) {
            assertTrue(doc.contains(SPACED.formatHex(shown)),
                    "docs/PROTOCOL.md should show the " + name + " example's bytes " + SPACED.formatHex(shown));
        }
        List<Object> decoded = new DecoderHarness(new FrameDecoder(cipher, FrameHeader.DEFAULT_MAX_FRAME_LENGTH))
                .feed(frame).drain();
        assertEquals(List.of(new Packet(PacketType.of(message), message)), decoded);
        return frame;
    }
}
