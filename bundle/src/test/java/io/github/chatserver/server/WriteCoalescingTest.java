package io.github.chatserver.server;

import static io.github.chatserver.server.ServerHarness.frames;
import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.mina.core.session.IoSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Write coalescing (session/TrackedWrites, session/WriteCoalescing): what one read routes to a
 * recipient goes out in one write, in order, and nothing written behind it overtakes it.
 */
@ExtendWith(RedisExtension.class)
class WriteCoalescingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void textsThatOneReadRoutesToARecipientGoOutInOneWrite(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String alice = user("alice");
            String bob = user("bob");
            ChatClient a = harness.login(alice);
            ChatClient b = harness.login(bob);
            IoSession atBob = harness.server.sessions().find(bob).orElseThrow();
            long writesBefore = atBob.getWrittenMessages(); // the login answer
            long packetsBefore = TrackedWrites.packetsWritten(atBob);
            int count = 10; // ≈ 1 KB in one TCP write: one read of the server's 2 KB read buffer
            List<Message> texts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                texts.add(text(alice, bob, "t" + i));
            }

            a.sendRaw(frames(texts));

            for (int i = 0; i < count; i++) {
                assertEquals("t" + i, b.receive(PbC2CTextChat.class, WAIT).getTextMsg(), "in order");
            }
            await().atMost(WAIT).until(() -> TrackedWrites.framesInFlight(atBob) == 0);
            assertEquals(count, TrackedWrites.framesIssued(atBob));
            long writes = atBob.getWrittenMessages() - writesBefore;
            System.out.println("COALESCED " + count + " frames into " + writes + " write(s)");
            // One read makes one write; should TCP have split the burst, two.
            assertTrue(writes >= 1 && writes <= 2, count + " frames took " + writes + " writes");
            assertEquals(count, TrackedWrites.packetsWritten(atBob) - packetsBefore,
                    "chat:sessions counts packets, not writes");
        }
    }

    @Test
    void anAnswerWrittenBehindCoalescedFramesDoesNotOvertakeThem(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String carol = user("carol");
            ChatClient c = harness.login(carol);
            int count = 5;
            List<Message> burst = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                burst.add(text(carol, carol, "note" + i)); // to herself: tracked writes to her session, deferred to the read's end
            }
            // Refused at once, in the same read (blank name): an untracked answer to the same session.
            burst.add(PbClientBuildGroup.newBuilder().setGroupName(" ").setTimestamp(ChatClient.now()).build());

            c.sendRaw(frames(burst));

            for (int i = 0; i < count; i++) {
                Packet p = c.receive(WAIT);
                assertTrue(p.body() instanceof PbC2CTextChat, "text " + i + " before the answer, got " + p.type());
                assertEquals("note" + i, p.body(PbC2CTextChat.class).getTextMsg());
            }
            assertFalse(c.receive(PbServerNotifyBuildGroup.class, WAIT).getBuild());
        }
    }
}
