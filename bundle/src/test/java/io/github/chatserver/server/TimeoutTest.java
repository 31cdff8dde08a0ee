package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbClientPing;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Login and idle timeouts, configured down to one and two seconds. */
@ExtendWith(RedisExtension.class)
class TimeoutTest {

    @Test
    void aConnectionThatDoesNotLogInIsClosedAfterTheLoginTimeout(RedisServer redis) throws Exception {
        var settings = ServerHarness.settings(redis).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30));
        try (ServerHarness harness = ServerHarness.start(redis, settings)) {
            ChatClient silent = harness.connect();
            long start = System.nanoTime();

            assertTrue(silent.awaitClosed(Duration.ofSeconds(5)));

            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 900, "closed after " + elapsedMillis + " ms, before the timeout");
            assertEquals(1, harness.stats().get(Counter.LOGIN_TIMEOUTS));
        }
    }

    @Test
    void theLoginTimeoutIsAbsoluteSoTricklingBytesDoesNotExtendIt(RedisServer redis) throws Exception {
        var settings = ServerHarness.settings(redis).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30));
        try (ServerHarness harness = ServerHarness.start(redis, settings)) {
            ChatClient slowloris = harness.connect();
            // Trickle a frame header one byte at a time, never completing a packet.
            byte[] header = {0, 0, 0, 24, 0, 0, 0, 1};
            int sent = 0;
            while (slowloris.isConnected() && sent < header.length) {
                slowloris.sendRaw(new byte[] {header[sent++]});
                slowloris.awaitClosed(Duration.ofMillis(300));
            }
            assertTrue(slowloris.awaitClosed(Duration.ofSeconds(5)));
            assertEquals(1, harness.stats().get(Counter.LOGIN_TIMEOUTS));
        }
    }

    @Test
    void aLoggedInConnectionThatSendsNothingIsClosedAfterTheIdleTimeout(RedisServer redis) throws Exception {
        var settings = ServerHarness.settings(redis).withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(2));
        try (ServerHarness harness = ServerHarness.start(redis, settings)) {
            ChatClient quiet = harness.login(user("quiet"));

            assertTrue(quiet.awaitClosed(Duration.ofSeconds(6)));
            assertEquals(1, harness.stats().get(Counter.IDLE_CLOSED));
        }
    }

    @Test
    void pingsKeepALoggedInConnectionAlive(RedisServer redis) throws Exception {
        var settings = ServerHarness.settings(redis).withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(2));
        try (ServerHarness harness = ServerHarness.start(redis, settings)) {
            ChatClient pinger = harness.login(user("pinger"));

            // Ping every 500 ms for twice the idle timeout: the connection must survive all of it.
            for (int i = 0; i < 8; i++) {
                pinger.send(PbClientPing.newBuilder().setPing(true).setTimestamp(ChatClient.now()).build());
                assertFalse(pinger.awaitClosed(Duration.ofMillis(500)), "closed despite pings");
            }
            assertEquals(0, harness.stats().get(Counter.IDLE_CLOSED));
        }
    }
}
