package io.github.chatserver.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore;
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

@ExtendWith(RedisExtension.class)
class C2CChatTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
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
    void textIsDeliveredBothWaysWithTheRealSenderAndServerTime() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        ChatClient a = harness.login(alice);
        ChatClient b = harness.login(bob);

        a.send(text(alice, bob, "hello bob").toBuilder().setTimestamp(42).build());
        PbC2CTextChat atBob = b.receive(PbC2CTextChat.class, WAIT);
        b.send(text(bob, alice, "hi alice ✓"));
        PbC2CTextChat atAlice = a.receive(PbC2CTextChat.class, WAIT);

        assertEquals(alice, atBob.getFromUuid());
        assertEquals(bob, atBob.getToUuid());
        assertEquals("hello bob", atBob.getTextMsg());
        assertTrue(Math.abs(atBob.getTimestamp() - ChatClient.now()) <= 2, "the server's clock, not the client's 42");
        assertEquals(bob, atAlice.getFromUuid());
        assertEquals("hi alice ✓", atAlice.getTextMsg());
        await().atMost(WAIT).until(() -> harness.stats().get(Counter.MESSAGES_ONLINE) == 2);
    }

    @Test
    void fieldsTheSenderAddsBeyondTheContractAreNotPassedOn() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        ChatClient a = harness.login(alice);
        ChatClient b = harness.login(bob);
        UnknownFieldSet injected = UnknownFieldSet.newBuilder()
                .addField(5, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("forged")).build())
                .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(7).build())
                .build();

        a.send(text(alice, bob, "plain").toBuilder().setUnknownFields(injected).build());

        PbC2CTextChat received = b.receive(PbC2CTextChat.class, WAIT);
        assertEquals("plain", received.getTextMsg());
        assertEquals(0, received.getUnknownFields().asMap().size(), "unknown fields: " + received.getUnknownFields());
    }

    @Test
    void manyMessagesArriveInOrder() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        ChatClient a = harness.login(alice);
        ChatClient b = harness.login(bob);

        for (int i = 0; i < 200; i++) {
            a.send(text(alice, bob, "m" + i));
        }
        for (int i = 0; i < 200; i++) {
            assertEquals("m" + i, b.receive(PbC2CTextChat.class, WAIT).getTextMsg());
        }
    }

    @Test
    void aMessageForSomeoneOfflineIsStoredInRedisNotDropped() throws Exception {
        String alice = user("alice");
        String absent = user("absent");
        ChatClient a = harness.login(alice);

        a.send(text(alice, absent, "see you later"));

        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.C2C, absent) == 1);
        assertEquals(1, harness.stats().get(Counter.MESSAGES_OFFLINE));
        ChatClient later = harness.login(absent);
        later.send(PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(absent).setTimestamp(ChatClient.now()).build());
        PbServerResponseC2COfflineMsg stored = later.receive(PbServerResponseC2COfflineMsg.class, WAIT);
        assertEquals(alice, stored.getFromUuid());
        assertEquals(absent, stored.getToUuid());
        assertEquals("see you later", stored.getTextMsg());
    }

    @Test
    void aSpoofedSenderIsClosedAndNothingIsDelivered() throws Exception {
        String mallory = user("mallory");
        String alice = user("alice");
        String bob = user("bob");
        ChatClient m = harness.login(mallory);
        ChatClient a = harness.login(alice);
        ChatClient b = harness.login(bob);

        m.send(text(alice, bob, "I am alice, honest"));

        assertTrue(m.awaitClosed(WAIT), "the spoofer's connection is closed");
        assertEquals(1, harness.stats().violations(ProtocolViolation.Kind.FORBIDDEN));
        // Bob's next packet is alice's real message: the spoofed one was never delivered.
        a.send(text(alice, bob, "the real alice"));
        Packet next = b.receive(WAIT);
        assertEquals("the real alice", next.body(PbC2CTextChat.class).getTextMsg());
        assertEquals(alice, next.body(PbC2CTextChat.class).getFromUuid());
        assertEquals(0, harness.stored(OfflineStore.Kind.C2C, bob));
        assertTrue(a.isConnected() && b.isConnected(), "nobody else is affected");
    }

    @Test
    void aWellFormedUnknownPacketTypeIsIgnoredAndCounted() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        ChatClient a = harness.login(alice);
        ChatClient b = harness.login(bob);

        a.sendRaw(new byte[] {0, 0, 0, 12, 0, 0, 0, 99, 1, 2, 3, 4});
        a.send(text(alice, bob, "still here"));

        assertEquals("still here", b.receive(PbC2CTextChat.class, WAIT).getTextMsg());
        assertEquals(1, harness.stats().get(Counter.UNKNOWN_PACKETS));
        assertTrue(a.isConnected());
    }
}
