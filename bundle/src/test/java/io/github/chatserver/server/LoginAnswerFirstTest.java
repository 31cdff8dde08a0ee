package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.apache.mina.core.buffer.IoBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Found by HandlerFuzzTest (crash-c260eaa6... in its inputs): a text sent to a user who was just
 * logging in reached that user <em>before</em> the login answer. The login registered the session,
 * so senders could find it, and only then wrote the answer; a text handled on another I/O thread
 * in between went out first, and a client waiting for its answer (the original clients, our
 * ChatClient) got a chat message instead. The answer must be the first thing a session receives,
 * and the session must be reachable once its client has the answer (which writing the answer
 * before registering would have broken): both happen under the session's write lock.
 */
@ExtendWith(RedisExtension.class)
class LoginAnswerFirstTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int ROUNDS = 150;
    private static final int TEXTS = 40;
    private ServerHarness harness;

    @BeforeEach
    void start(RedisServer redis) throws Exception {
        harness = ServerHarness.start(redis);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void theLoginAnswerComesBeforeAnyMessageToTheNewSession() throws Exception {
        String sender = user("sender");
        ChatClient a = harness.login(sender);
        BodyCipher cipher = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
        for (int round = 0; round < ROUNDS; round++) {
            String newcomer = user("newcomer" + round);
            // A burst of texts to the newcomer, in one write, so some are handled while its login completes.
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < TEXTS; i++) {
                IoBuffer frame = EncodedFrame.of(Packet.of(text(sender, newcomer, "t" + i)), cipher).toBuffer();
                byte[] bytes = new byte[frame.remaining()];
                frame.get(bytes);
                burst.writeBytes(bytes);
            }
            ChatClient b = harness.connect();
            b.send(PbClientLogin.newBuilder().setUuid(newcomer).setVersion(1.0f).setTimestamp(ChatClient.now()).build());
            a.sendRaw(burst.toByteArray());

            Packet first = b.receive(WAIT);
            assertEquals(PacketType.SERVER_ACCEPT_LOGIN, first.type(),
                    "round " + round + ": the first packet of a new session is its login answer, not " + first.body());
            assertTrue(harness.server.sessions().find(newcomer).isPresent(),
                    "round " + round + ": once the client has its answer, messages to it are routed to it");
            b.close();
        }
    }
}
