package io.github.chatserver.server.admin;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.server.ChatServer;
import io.github.chatserver.server.auth.PasswordHasher;
import io.github.chatserver.server.auth.TokenVerifier;
import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.storage.UserStore;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operations behind the chat: console commands, outside OSGi, against a real Redis and server. */
@ExtendWith(RedisExtension.class)
class UserAdminTest {
    private static final String SECRET = "a-test-secret-of-at-least-32-characters!";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static RedissonClient redisson;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void connect(RedisServer redis) {
        Config config = new Config();
        config.useSingleServer().setAddress(redis.address());
        redisson = Redisson.create(config);
    }

    @AfterAll
    static void disconnect() {
        redisson.shutdown();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private ChatServer server(RedisServer redis, String mode) throws Exception {
        ServerSettings settings = ServerSettings.defaults(redis.address()).withPort(0).withAuth(
                new AuthSettings(mode, SECRET, AuthSettings.MIN_ITERATIONS, Duration.ZERO, Duration.ZERO));
        ChatServer server = new ChatServer(settings, new ServerStats());
        server.start();
        toClose.add(server);
        return server;
    }

    private UserAdmin admin(ChatServer server) {
        UserStore users = new UserStore(redisson);
        return new UserAdmin(server.settings().auth(), 128, () -> users, server::sessions);
    }

    private boolean login(ChatServer server, String uuid, String credential) throws Exception {
        ChatClient client = ChatClient.connect("127.0.0.1", server.localAddress().getPort());
        toClose.add(client);
        return client.login(uuid, credential).getLogin();
    }

    private String stored(String uuid) {
        return redisson.<String, String>getMap("chat:users", StringCodec.INSTANCE).get(uuid);
    }

    @Test
    void anAddedUserLogsInWithItsPasswordWhichIsStoredOnlyAsAHash(RedisServer redis) throws Exception {
        ChatServer server = server(redis, AuthSettings.PASSWORD);
        UserAdmin admin = admin(server);
        String alice = user("alice");

        admin.addUser(alice, "alice-secret".toCharArray());

        assertTrue(PasswordHasher.isWellFormed(stored(alice)));
        assertFalse(stored(alice).contains("alice-secret"));
        assertTrue(login(server, alice, "alice-secret"));
        assertFalse(login(server, alice, "alice-secreT"));
    }

    @Test
    void addingRefusesAnExistingUserAWeakPasswordAndAMalformedUuid(RedisServer redis) throws Exception {
        UserAdmin admin = admin(server(redis, AuthSettings.PASSWORD));
        String bob = user("bob");
        admin.addUser(bob, "first-password".toCharArray());
        String before = stored(bob);

        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
                () -> admin.addUser(bob, "second-password".toCharArray()));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        assertEquals(before, stored(bob), "the existing password is untouched");
        assertThrows(IllegalArgumentException.class, () -> admin.addUser(user("carl"), "short".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> admin.addUser("has\ttab", "long-enough".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> admin.addUser("x".repeat(129), "long-enough".toCharArray()));
    }

    @Test
    void changingThePasswordReplacesTheOldOne(RedisServer redis) throws Exception {
        ChatServer server = server(redis, AuthSettings.PASSWORD);
        UserAdmin admin = admin(server);
        String carol = user("carol");
        admin.addUser(carol, "old-password".toCharArray());

        admin.changePassword(carol, "new-password".toCharArray());

        assertFalse(login(server, carol, "old-password"));
        assertTrue(login(server, carol, "new-password"));
        assertThrows(IllegalArgumentException.class, () -> admin.changePassword(user("nobody"), "new-password".toCharArray()));
        assertEquals(null, stored("nobody"), "changing never creates a user");
    }

    @Test
    void removingAUserClosesItsSessionHereAndRefusesItsLogins(RedisServer redis) throws Exception {
        ChatServer server = server(redis, AuthSettings.PASSWORD);
        UserAdmin admin = admin(server);
        String dave = user("dave");
        admin.addUser(dave, "dave-password".toCharArray());
        ChatClient session = ChatClient.connect("127.0.0.1", server.localAddress().getPort());
        toClose.add(session);
        assertTrue(session.login(dave, "dave-password").getLogin());

        admin.removeUser(dave);

        assertTrue(session.awaitClosed(WAIT));
        assertEquals(null, stored(dave));
        assertFalse(login(server, dave, "dave-password"));
        assertThrows(IllegalArgumentException.class, () -> admin.removeUser(dave));
    }

    @Test
    void removingInTokenModeForgetsThatTheUserLoggedIn(RedisServer redis) throws Exception {
        ChatServer server = server(redis, AuthSettings.TOKEN);
        UserAdmin admin = admin(server);
        String erin = user("erin");
        assertTrue(login(server, erin, admin.mintToken(erin, 60)));
        assertTrue(redisson.getSet("chat:known-users", StringCodec.INSTANCE).contains(erin));

        admin.removeUser(erin);

        assertFalse(redisson.getSet("chat:known-users", StringCodec.INSTANCE).contains(erin));
    }

    @Test
    void aMintedTokenLogsInUntilItExpires(RedisServer redis) throws Exception {
        ChatServer server = server(redis, AuthSettings.TOKEN);
        UserAdmin admin = admin(server);
        String frank = user("frank.with.dots");

        String token = admin.mintToken(frank, 120);

        assertTrue(login(server, frank, token));
        long now = System.currentTimeMillis() / 1000;
        TokenVerifier verifier = new TokenVerifier(SECRET);
        assertEquals(TokenVerifier.Outcome.VALID, verifier.check(token, frank, now + 115));
        assertEquals(TokenVerifier.Outcome.EXPIRED, verifier.check(token, frank, now + 125));
        assertThrows(IllegalArgumentException.class, () -> admin.mintToken(frank, 0));
        assertThrows(IllegalArgumentException.class, () -> admin.mintToken(frank, UserAdmin.MAX_TOKEN_TTL_SECONDS + 1));
    }

    @Test
    void noTokenWithoutASecret(RedisServer redis) throws Exception {
        ChatServer server = server(redis, AuthSettings.PASSWORD);
        UserAdmin admin = new UserAdmin(new AuthSettings(AuthSettings.PASSWORD, "", AuthSettings.MIN_ITERATIONS,
                Duration.ZERO, Duration.ZERO), 128, () -> new UserStore(redisson), server::sessions);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> admin.mintToken(user("gina"), 60));
        assertTrue(e.getMessage().contains("tokenSecret"), e.getMessage());
    }

    @Test
    void usersAreListedByLiteralPrefix(RedisServer redis) throws Exception {
        UserAdmin admin = admin(server(redis, AuthSettings.PASSWORD));
        String prefix = "list*" + UUID.randomUUID().toString().substring(0, 6);
        admin.addUser(prefix + "-a", "password-a".toCharArray());
        admin.addUser(prefix + "-b", "password-b".toCharArray());
        admin.addUser("listXother-" + prefix.substring(5), "password-c".toCharArray());

        List<String> found = admin.users(prefix, 10);

        assertEquals(List.of(prefix + "-a", prefix + "-b"), found.stream().sorted().toList());
        assertEquals(1, admin.users(prefix, 1).size());
    }

    @Test
    void namesWithSpacesAndAnyScriptAreUsersLikeAnyOther(RedisServer redis) throws Exception {
        ChatServer passwords = server(redis, AuthSettings.PASSWORD);
        UserAdmin admin = admin(passwords);
        String zhang = "张 三 " + UUID.randomUUID().toString().substring(0, 6);
        String smile = "😀 smile " + UUID.randomUUID().toString().substring(0, 6);

        admin.addUser(zhang, "zhang-password".toCharArray());
        admin.changePassword(zhang, "zhang-password-2".toCharArray());
        admin.addUser(smile, "smile-password".toCharArray());

        assertTrue(login(passwords, zhang, "zhang-password-2"));
        assertTrue(login(passwords, smile, "smile-password"));
        assertEquals(List.of(zhang), admin.users("张 三 ", 10).stream().filter(zhang::equals).toList());
        admin.removeUser(smile);
        assertFalse(login(passwords, smile, "smile-password"));

        ChatServer tokens = server(redis, AuthSettings.TOKEN);
        String javaClient = "hello, 我是一个java程序";
        assertTrue(login(tokens, javaClient, admin(tokens).mintToken(javaClient, 60)));
    }

    @Test
    void globCharactersInANamePrefixAreLiteralInTheRedisScan(RedisServer redis) throws Exception {
        UserAdmin admin = admin(server(redis, AuthSettings.PASSWORD));
        String tag = UUID.randomUUID().toString().substring(0, 6);
        // Each decoy would match the prefix if it were read as a pattern: ? and * any text, [ab] a class, \ an escape.
        for (String[] prefixAndDecoy : new String[][] {{"q?*" + tag, "qZZZ" + tag}, {"[ab]" + tag, "a" + tag},
                {"back\\" + tag, "back" + tag}, {"sp ace " + tag, "sp ace" + tag}}) {
            String prefix = prefixAndDecoy[0];
            admin.addUser(prefix + " one", "password-1".toCharArray());
            admin.addUser(prefixAndDecoy[1] + " decoy", "password-2".toCharArray());

            assertEquals(List.of(prefix + " one"), admin.users(prefix, 10), prefix);
        }
    }

    @Test
    void theComponentsAdminOpensItsOwnConnectionOnFirstUseAndClosesIt(RedisServer redis) throws Exception {
        ChatServer server = server(redis, AuthSettings.PASSWORD);
        String hal = user("hal");
        UserAdmin admin = UserAdmin.connecting(server.settings(), server::sessions);

        admin.addUser(hal, "hal-password".toCharArray());
        admin.close();

        assertTrue(login(server, hal, "hal-password"));
        assertThrows(IllegalStateException.class, () -> admin.addUser(user("ivy"), "ivy-password".toCharArray()));
    }
}
