package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.server.auth.PasswordHasher;
import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.UserStore;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RMap;
import org.redisson.client.codec.StringCodec;

import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** authMode password against a real Redis: registered users, generic refusals, the failure backoff. */
@ExtendWith(RedisExtension.class)
class PasswordLoginTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final PasswordHasher HASHER = new PasswordHasher(AuthSettings.MIN_ITERATIONS);
    private ServerHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private void start(RedisServer redis, Duration failureDelay, Duration maxFailureDelay) throws Exception {
        start(redis, new AuthSettings(AuthSettings.PASSWORD, "", AuthSettings.MIN_ITERATIONS, failureDelay, maxFailureDelay));
    }

    private void start(RedisServer redis, AuthSettings auth) throws Exception {
        harness = ServerHarness.start(redis, ServerHarness.settings(redis).withAuth(auth));
    }

    private String register(String name, String password) throws Exception {
        String uuid = user(name);
        assertTrue(new UserStore(harness.redis()).register(uuid, HASHER.hash(password.toCharArray()))
                .toCompletableFuture().get(5, TimeUnit.SECONDS));
        return uuid;
    }

    private RMap<String, String> users() {
        return harness.redis().getMap("chat:users", StringCodec.INSTANCE);
    }

    @Test
    void aRegisteredUserLogsInWithItsPassword(RedisServer redis) throws Exception {
        start(redis, Duration.ZERO, Duration.ZERO);
        String alice = register("alice", "alice's password");

        PbServerAcceptLogin answer = harness.connect().login(alice, "alice's password");

        assertTrue(answer.getLogin(), answer.getTipsMsg());
        assertEquals(1, harness.stats().get(Counter.LOGINS_OK));
        assertFalse(users().get(alice).contains("alice's password"), "only a hash is stored");
    }

    @Test
    void aWrongPasswordAnUnknownUserAndNoPasswordGetTheSameGenericRefusalAndAreClosed(RedisServer redis) throws Exception {
        start(redis, Duration.ZERO, Duration.ZERO);
        String bob = register("bob", "bob's password");

        ChatClient wrong = harness.connect();
        PbServerAcceptLogin wrongAnswer = wrong.login(bob, "Bob's password");
        ChatClient unknown = harness.connect();
        PbServerAcceptLogin unknownAnswer = unknown.login(user("nobody"), "bob's password");
        ChatClient none = harness.connect();
        PbServerAcceptLogin noneAnswer = none.login(bob);

        for (PbServerAcceptLogin answer : new PbServerAcceptLogin[] {wrongAnswer, unknownAnswer, noneAnswer}) {
            assertFalse(answer.getLogin());
            assertEquals("invalid credentials", answer.getTipsMsg());
        }
        assertTrue(wrong.awaitClosed(WAIT));
        assertTrue(unknown.awaitClosed(WAIT));
        assertTrue(none.awaitClosed(WAIT));
        assertEquals(3, harness.stats().get(Counter.LOGINS_FAILED_AUTH));
        assertEquals(3, harness.stats().get(Counter.LOGINS_REFUSED));
        assertEquals(0, harness.stats().get(Counter.LOGIN_DELAYS), "no delay configured");
        assertNull(harness.redis().getMap("chat:presence", StringCodec.INSTANCE).get(bob));
    }

    @Test
    void repeatedFailuresFromOneAddressAreAnsweredEverLaterButASuccessIsNot(RedisServer redis) throws Exception {
        start(redis, Duration.ofMillis(250), Duration.ofMillis(2000));
        String carol = register("carol", "carol's password");
        harness.connect().login(carol, "carol's password"); // warms up the hashing code

        long[] expectedMillis = {250, 500, 1000, 2000, 2000};
        long[] gaps = new long[expectedMillis.length];
        for (int i = 0; i < expectedMillis.length; i++) {
            ChatClient client = harness.connect();
            long start = System.nanoTime();
            PbServerAcceptLogin answer = client.login(carol, "not carol's password");
            gaps[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertFalse(answer.getLogin());
            assertEquals("invalid credentials", answer.getTipsMsg());
            assertTrue(client.awaitClosed(WAIT));
        }
        long start = System.nanoTime();
        PbServerAcceptLogin success = harness.connect().login(carol, "carol's password");
        long successGap = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        for (int i = 0; i < gaps.length; i++) {
            // At least the delay (the timer may fire a few ms early); at most the delay plus one hash and some slack.
            assertTrue(gaps[i] >= expectedMillis[i] - 20 && gaps[i] <= expectedMillis[i] + 800,
                    "failure " + (i + 1) + " answered after " + gaps[i] + " ms, expected about " + expectedMillis[i]);
        }
        assertTrue(success.getLogin());
        assertTrue(successGap < 1500, "a correct password is answered without the 2 s delay: " + successGap + " ms");
        assertEquals(5, harness.stats().get(Counter.LOGINS_FAILED_AUTH));
        assertEquals(5, harness.stats().get(Counter.LOGIN_DELAYS));
        assertEquals(2, harness.stats().get(Counter.LOGINS_OK));
    }

    @Test
    void aHashWithFewerIterationsIsRaisedAfterASuccessfulLogin(RedisServer redis) throws Exception {
        int raised = AuthSettings.MIN_ITERATIONS + 10_000;
        start(redis, new AuthSettings(AuthSettings.PASSWORD, "", raised, Duration.ZERO, Duration.ZERO));
        String dave = register("dave", "dave's password");
        String before = users().get(dave);

        assertTrue(harness.connect().login(dave, "dave's password").getLogin());

        await().atMost(WAIT).until(() -> PasswordHasher.iterationsOf(users().get(dave)) == raised);
        assertFalse(users().get(dave).equals(before));
        assertTrue(new PasswordHasher(raised).verify("dave's password".toCharArray(), users().get(dave)));
        assertTrue(harness.connect().login(dave, "dave's password").getLogin(), "the new hash works");
    }

    @Test
    void passwordsAreHashedOnTheServersAuthThreadsWhichEndWithTheServer(RedisServer redis) throws Exception {
        start(redis, Duration.ZERO, Duration.ZERO);
        String erin = register("erin", "erin's password");
        assertTrue(harness.connect().login(erin, "erin's password").getLogin());
        assertTrue(authThreads() > 0, "a chatserver-auth thread ran the check");

        harness.close();
        harness = null;

        await().atMost(WAIT).until(() -> authThreads() == 0);
    }

    private static long authThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("chatserver-auth-")).count();
    }
}
