package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientLogout;
import io.github.chatserver.server.auth.PasswordHasher;
import io.github.chatserver.server.auth.TokenMinter;
import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.server.storage.UserStore;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In authMode password and token a one-to-one message needs a recipient that exists; an unknown
 * one is dropped (not stored, counted) and the sender's connection stays open. Open mode is unchanged.
 */
@ExtendWith(RedisExtension.class)
class RecipientCheckTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String SECRET = TokenLoginTest.SECRET;
    private ServerHarness harness;

    @AfterEach
    void stop() {
        harness.close();
    }

    private void start(RedisServer redis, String mode) throws Exception {
        harness = ServerHarness.start(redis, ServerHarness.settings(redis).withAuth(new AuthSettings(
                mode, SECRET, AuthSettings.MIN_ITERATIONS, Duration.ZERO, Duration.ZERO)));
    }

    private String register(String name) throws Exception {
        String uuid = user(name);
        String hash = new PasswordHasher(AuthSettings.MIN_ITERATIONS).hash(("pw of " + uuid).toCharArray());
        assertTrue(new UserStore(harness.redis()).register(uuid, hash).toCompletableFuture().get(5, TimeUnit.SECONDS));
        return uuid;
    }

    private ChatClient loginWithPassword(String uuid) throws Exception {
        ChatClient client = harness.connect();
        assertTrue(client.login(uuid, "pw of " + uuid).getLogin());
        return client;
    }

    private ChatClient loginWithToken(String uuid) throws Exception {
        ChatClient client = harness.connect();
        assertTrue(client.login(uuid, TokenMinter.mint(SECRET, uuid, ChatClient.now() + 300)).getLogin());
        return client;
    }

    @Test
    void passwordModeDropsAMessageToAnUnregisteredUserAndKeepsTheSenderConnected(RedisServer redis) throws Exception {
        start(redis, AuthSettings.PASSWORD);
        String alice = register("alice");
        String offlineBob = register("bob");
        String ghost = user("ghost");
        ChatClient client = loginWithPassword(alice);

        client.send(text(alice, ghost, "to nobody"));
        client.send(text(alice, offlineBob, "to a registered user who is offline"));

        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.C2C, offlineBob) == 1);
        assertEquals(0, harness.stored(OfflineStore.Kind.C2C, ghost));
        assertEquals(1, harness.stats().get(Counter.REQUESTS_REFUSED));
        assertTrue(client.isConnected());
        assertEquals(0, harness.stats().violations());
    }

    @Test
    void passwordModeDeliversToAnOnlineRegisteredUser(RedisServer redis) throws Exception {
        start(redis, AuthSettings.PASSWORD);
        String carol = register("carol");
        String dave = register("dave");
        ChatClient carolClient = loginWithPassword(carol);
        ChatClient daveClient = loginWithPassword(dave);

        carolClient.send(text(carol, dave, "hello dave"));

        assertEquals("hello dave", daveClient.receive(PbC2CTextChat.class, WAIT).getTextMsg());
        assertEquals(0, harness.stats().get(Counter.REQUESTS_REFUSED));
    }

    @Test
    void tokenModeAcceptsOnlyRecipientsWhoLoggedInOnce(RedisServer redis) throws Exception {
        start(redis, AuthSettings.TOKEN);
        String erin = user("erin");
        String frank = user("frank");
        ChatClient erinClient = loginWithToken(erin);

        erinClient.send(text(erin, frank, "before frank ever logged in"));
        await().atMost(WAIT).until(() -> harness.stats().get(Counter.REQUESTS_REFUSED) == 1);
        ChatClient frankClient = loginWithToken(frank);
        frankClient.send(PbClientLogout.newBuilder().setLogout(true).setTimestamp(ChatClient.now()).build());
        assertTrue(frankClient.awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> harness.server.sessions().find(frank).isEmpty());
        erinClient.send(text(erin, frank, "after frank logged in once"));

        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.C2C, frank) == 1);
        assertEquals(1, harness.stats().get(Counter.REQUESTS_REFUSED));
        assertTrue(erinClient.isConnected());
    }

    @Test
    void openModeStoresForAnyWellFormedRecipientAsBefore(RedisServer redis) throws Exception {
        start(redis, AuthSettings.OPEN);
        String gina = user("gina");
        String anyone = user("anyone");
        ChatClient client = harness.login(gina);

        client.send(text(gina, anyone, "open mode"));

        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.C2C, anyone) == 1);
        assertEquals(0, harness.stats().get(Counter.REQUESTS_REFUSED));
    }

    @Test
    void openModeIgnoresField4(RedisServer redis) throws Exception {
        start(redis, AuthSettings.OPEN);

        assertTrue(harness.connect().login(user("hal"), "whatever the client sends").getLogin());
        assertTrue(harness.connect().login(user("ivy")).getLogin());
        assertEquals(0, harness.stats().get(Counter.LOGINS_FAILED_AUTH));
    }
}
