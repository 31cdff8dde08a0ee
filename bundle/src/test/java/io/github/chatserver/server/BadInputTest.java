package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed input closes the offending connection, is counted, and affects no one else. */
@ExtendWith(RedisExtension.class)
class BadInputTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private ServerHarness harness;
    private String alice;
    private String bob;
    private ChatClient a;
    private ChatClient b;

    @BeforeEach
    void start(RedisServer redis) throws Exception {
        harness = ServerHarness.start(redis);
        alice = user("alice");
        bob = user("bob");
        a = harness.login(alice);
        b = harness.login(bob);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void assertOthersUnaffected() throws Exception {
        a.send(text(alice, bob, "unaffected"));
        assertEquals("unaffected", b.receive(PbC2CTextChat.class, WAIT).getTextMsg());
    }

    private void assertClosedFor(byte[] frame, ProtocolViolation.Kind kind, boolean loggedIn) throws Exception {
        ChatClient offender = loggedIn ? harness.login(user("offender")) : harness.connect();
        offender.sendRaw(frame);
        assertTrue(offender.awaitClosed(WAIT), "connection closed");
        await().atMost(WAIT).until(() -> harness.stats().violations(kind) == 1);
        assertOthersUnaffected();
    }

    @Test
    void aLengthBelowTheHeaderSizeClosesTheConnection() throws Exception {
        assertClosedFor(new byte[] {0, 0, 0, 7, 0, 0, 0, 5}, ProtocolViolation.Kind.FRAME_LENGTH, true);
    }

    @Test
    void anOversizedLengthClosesTheConnectionFromTheHeaderAlone() throws Exception {
        // 4 GiB - 1 declared; only the 8 header bytes are ever sent.
        assertClosedFor(new byte[] {-1, -1, -1, -1, 0, 0, 0, 5}, ProtocolViolation.Kind.FRAME_LENGTH, false);
    }

    @Test
    void aBodyThatIsNotAesClosesTheConnection() throws Exception {
        assertClosedFor(new byte[] {0, 0, 0, 13, 0, 0, 0, 5, 1, 2, 3, 4, 5}, ProtocolViolation.Kind.CIPHER, true);
    }

    @Test
    void anAesBodyThatIsNotTheRightMessageClosesTheConnection() throws Exception {
        // A type 4 (ping) frame carrying a login's body: required fields of PbClientPing are missing.
        byte[] body = io.github.chatserver.codec.BodyCipher.forMode("legacy-aes", "12345abcdef67890")
                .encrypt(new byte[] {0x0a, 0x01, 0x41});
        byte[] frame = new byte[8 + body.length];
        frame[3] = (byte) frame.length;
        frame[7] = 4;
        System.arraycopy(body, 0, frame, 8, body.length);
        assertClosedFor(frame, ProtocolViolation.Kind.MALFORMED_BODY, true);
    }
}
