package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.server.auth.TokenMinter;
import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.client.codec.StringCodec;

import static io.github.chatserver.server.ServerHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** authMode token against a real Redis: tokens made as an application backend would make them. */
@ExtendWith(RedisExtension.class)
class TokenLoginTest {
    static final String SECRET = "a-test-secret-of-at-least-32-characters!";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private ServerHarness harness;

    @BeforeEach
    void start(RedisServer redis) throws Exception {
        harness = ServerHarness.start(redis, ServerHarness.settings(redis).withAuth(new AuthSettings(
                AuthSettings.TOKEN, SECRET, AuthSettings.MIN_ITERATIONS, Duration.ZERO, Duration.ZERO)));
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static String token(String uuid, long secondsFromNow) {
        return TokenMinter.mint(SECRET, uuid, ChatClient.now() + secondsFromNow);
    }

    private boolean known(String uuid) {
        return harness.redis().getSet("chat:known-users", StringCodec.INSTANCE).contains(uuid);
    }

    @Test
    void aValidTokenLogsInAndMakesTheUserKnown() throws Exception {
        String alice = user("alice.with.dots");
        assertFalse(known(alice));

        PbServerAcceptLogin answer = harness.connect().login(alice, token(alice, 300));

        assertTrue(answer.getLogin(), answer.getTipsMsg());
        assertTrue(known(alice));
        assertEquals(1, harness.stats().get(Counter.LOGINS_OK));
    }

    @Test
    void expiredMisSignedForeignMalformedAndMissingTokensAreRefusedAlikeAndClosed() throws Exception {
        String bob = user("bob");
        String good = token(bob, 300);
        String[] refused = {
            token(bob, -1),                                          // expired
            TokenMinter.mint(SECRET.replace('!', '?'), bob, ChatClient.now() + 300), // signed with another secret
            good.substring(0, good.length() - 2) + (good.endsWith("AA") ? "BB" : "AA"), // signature altered
            token(user("mallory"), 300),                             // for another user
            "not-a-token",
            null,                                                    // no field 4 at all
        };

        for (String token : refused) {
            ChatClient client = harness.connect();
            PbServerAcceptLogin answer = client.login(bob, token);
            assertFalse(answer.getLogin(), "token " + token);
            assertEquals("invalid credentials", answer.getTipsMsg());
            assertTrue(client.awaitClosed(WAIT));
        }
        assertEquals(refused.length, harness.stats().get(Counter.LOGINS_FAILED_AUTH));
        assertFalse(known(bob), "a refused login does not make a user known");
        assertTrue(harness.connect().login(bob, good).getLogin(), "the untouched token still works");
    }
}
