package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientLogout;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RMap;
import org.redisson.client.codec.StringCodec;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(RedisExtension.class)
class LoginTest {
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

    private RMap<String, String> presence() {
        return harness.redis().getMap("chat:presence", StringCodec.INSTANCE);
    }

    @Test
    void loginAnswersTrueAndRecordsPresenceInRedis() throws Exception {
        String alice = user("alice");
        ChatClient client = harness.connect();

        PbServerAcceptLogin answer = client.login(alice);

        assertTrue(answer.getLogin());
        assertFalse(answer.getTipsMsg().isEmpty());
        assertTrue(Math.abs(answer.getTimestamp() - ChatClient.now()) <= 2, "server sets its own clock");
        String marker = presence().get(alice);
        assertTrue(marker != null && marker.startsWith(harness.server.settings().nodeId() + "/"),
                "presence of " + alice + " is " + marker);
        assertEquals(1, harness.stats().get(Counter.LOGINS_OK));
    }

    @Test
    void malformedUuidIsRefusedWithAReasonAndClosed() throws Exception {
        ChatClient client = harness.connect();

        PbServerAcceptLogin answer = client.login("has\nnewline");

        assertFalse(answer.getLogin());
        assertEquals("invalid uuid: contains a control character (U+000A)", answer.getTipsMsg());
        assertTrue(client.awaitClosed(WAIT));
        assertEquals(1, harness.stats().get(Counter.LOGINS_REFUSED));
        assertNull(presence().get("has\nnewline"));
    }

    @Test
    void aUuidWithSpacesIsAcceptedAsTheOriginalServerDid() throws Exception {
        String uuid = "hello, 我是一个java程序"; // the original project's own Java test client
        ChatClient client = harness.connect();

        PbServerAcceptLogin answer = client.login(uuid);

        assertTrue(answer.getLogin(), answer.getTipsMsg());
        String marker = presence().get(uuid);
        assertTrue(marker != null && marker.startsWith(harness.server.settings().nodeId() + "/"), "presence " + marker);
    }

    @Test
    void aUuidLongerThanTheLimitIsRefused() throws Exception {
        String longest = "u".repeat(harness.server.settings().limits().maxUuidLength());
        ChatClient ok = harness.connect();
        assertTrue(ok.login(longest).getLogin(), "exactly maxUuidLength characters is fine");

        ChatClient tooLong = harness.connect();
        PbServerAcceptLogin answer = tooLong.login(longest + "u");

        assertFalse(answer.getLogin());
        assertEquals("invalid uuid: longer than " + longest.length() + " characters", answer.getTipsMsg());
        assertTrue(tooLong.awaitClosed(WAIT));
        assertNull(presence().get(longest + "u"));
    }

    @Test
    void secondLoginOnTheSameConnectionIsRefused() throws Exception {
        ChatClient client = harness.login(user("twice"));

        PbServerAcceptLogin answer = client.login(user("other"));

        assertFalse(answer.getLogin());
        assertTrue(client.awaitClosed(WAIT));
    }

    @Test
    void newLoginKicksTheOlderSessionOfTheSameUser() throws Exception {
        String bob = user("bob");
        String carol = user("carol");
        ChatClient first = harness.login(bob);
        ChatClient carolClient = harness.login(carol);

        ChatClient second = harness.login(bob);

        assertTrue(first.awaitClosed(WAIT), "the older session is closed");
        assertTrue(second.isConnected());
        assertEquals(1, harness.stats().get(Counter.SESSIONS_KICKED));
        // Messages now reach the new session, and the old one's close did not erase its presence.
        carolClient.send(text(carol, bob, "to the new session"));
        assertEquals("to the new session", second.receive(PbC2CTextChat.class, WAIT).getTextMsg());
        await().atMost(WAIT).until(() -> harness.server.sessions().find(bob).isPresent());
        assertTrue(presence().get(bob).endsWith("/" + harness.server.sessions().find(bob).get().getId()));
    }

    @Test
    void logoutClosesTheConnectionAndClearsPresence() throws Exception {
        String dave = user("dave");
        ChatClient client = harness.login(dave);
        assertTrue(presence().containsKey(dave));

        client.send(PbClientLogout.newBuilder().setLogout(true).setTimestamp(ChatClient.now()).build());

        assertTrue(client.awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> !presence().containsKey(dave));
        assertTrue(harness.server.sessions().find(dave).isEmpty());
    }

    @Test
    void packetsBeforeLoginAreDroppedNotActedOn() throws Exception {
        String eve = user("eve");
        String frank = user("frank");
        ChatClient frankClient = harness.login(frank);
        ChatClient anonymous = harness.connect();

        anonymous.send(text(eve, frank, "before login"));
        await().atMost(WAIT).until(() -> harness.stats().get(Counter.PRE_LOGIN_DROPPED) == 1);
        assertTrue(anonymous.login(eve).getLogin(), "the connection may still log in");
        anonymous.send(text(eve, frank, "after login"));

        // The first thing frank receives is the message sent after login: the earlier one was dropped.
        assertEquals("after login", frankClient.receive(PbC2CTextChat.class, WAIT).getTextMsg());
        assertEquals(0, harness.stored(OfflineStore.Kind.C2C, frank));
    }

    @Test
    void packetsPipelinedBehindTheLoginAreHandledAfterIt() throws Exception {
        String gina = user("gina");
        String hal = user("hal");
        ChatClient halClient = harness.login(hal);
        ChatClient ginaClient = harness.connect();

        // Login and a message in one go, without waiting for the answer: the message must not be lost.
        ginaClient.send(io.github.chatserver.protocol.PbClientLogin.newBuilder()
                .setUuid(gina).setVersion(1.0f).setTimestamp(ChatClient.now()).build());
        ginaClient.send(text(gina, hal, "right behind my login"));

        assertTrue(ginaClient.receive(PbServerAcceptLogin.class, WAIT).getLogin());
        assertEquals("right behind my login", halClient.receive(PbC2CTextChat.class, WAIT).getTextMsg());
    }
}
