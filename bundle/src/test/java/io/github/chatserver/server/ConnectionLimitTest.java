package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ChatConnector;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.server.config.OverloadSettings;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.NO_OVERLOAD_LIMITS;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections over the limits (in total, per source address, per second per address) are closed
 * on accept, before the handler hears of them, while another address (127.0.0.2, also loopback)
 * still gets in. All traffic stays on loopback and is bounded.
 */
@ExtendWith(RedisExtension.class)
class ConnectionLimitTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String OTHER_ADDRESS = "127.0.0.2";

    private static ServerSettings limits(RedisServer redis, int total, int perAddress, int perSecond) {
        OverloadSettings o = NO_OVERLOAD_LIMITS;
        return ServerHarness.settings(redis).withOverload(new OverloadSettings(total, perAddress, perSecond,
                o.packetsPerSecond(), o.bytesPerSecond(), o.throttleGrace(), o.maxQueuedOutboundBytes(),
                o.storageRetryBuffer()));
    }

    @Test
    void connectionsOverThePerAddressLimitAreClosedAtOnceAndAnotherAddressStillGetsIn(RedisServer redis)
            throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, limits(redis, 1000, 3, 1000))) {
            List<ChatClient> admitted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                admitted.add(harness.login(user("ok" + i)));
            }

            ChatClient excess = harness.connect();
            String excessUser = user("excess");
            excess.send(PbClientLogin.newBuilder().setUuid(excessUser).setVersion(1.0f).setTimestamp(ChatClient.now())
                    .build());

            assertTrue(excess.awaitClosed(WAIT), "the fourth connection from 127.0.0.1 is closed");
            assertNull(excess.poll(Duration.ZERO), "and is not answered");
            assertEquals(1, harness.stats().get(Counter.CONNECTIONS_REFUSED_PER_ADDRESS));
            assertEquals(3, harness.stats().get(Counter.CONNECTIONS_ACCEPTED), "the handler never saw it");
            assertEquals(3, harness.stats().get(Counter.LOGINS_OK));
            assertTrue(harness.server.sessions().find(excessUser).isEmpty());

            try (SocketClient other = SocketClient.plainFrom(OTHER_ADDRESS, harness.port())) {
                assertTrue(other.login(user("other")).getLogin(), "127.0.0.2 has its own limit");
                assertEquals(4, harness.server.connections());

                admitted.get(0).close(); // frees one slot of 127.0.0.1
                await().atMost(WAIT).until(() -> harness.server.connections() == 3);
                assertTrue(harness.login(user("again")).isConnected(), "a freed slot can be taken again");
            }
            assertEquals(1, harness.stats().get(Counter.CONNECTIONS_REFUSED_PER_ADDRESS));
        }
    }

    @Test
    void connectionsFasterThanThePerSecondLimitAreClosedAndAnotherAddressStillGetsIn(RedisServer redis)
            throws Exception {
        int perSecond = 5;
        int attempts = 30;
        try (ServerHarness harness = ServerHarness.start(redis, limits(redis, 1000, 1000, perSecond));
             ChatConnector connector = ChatConnector.legacy()) {
            List<ChatClient> flood = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < attempts; i++) {
                flood.add(connector.connect("127.0.0.1", harness.port()));
            }
            double seconds = (System.nanoTime() - start) / 1e9;

            await().atMost(WAIT).until(() -> harness.stats().get(Counter.CONNECTIONS_ACCEPTED)
                    + harness.stats().get(Counter.CONNECTIONS_REFUSED_RATE) == attempts);
            long accepted = harness.stats().get(Counter.CONNECTIONS_ACCEPTED);
            long refused = harness.stats().get(Counter.CONNECTIONS_REFUSED_RATE);
            // A burst of one second's worth, then the rate: nothing more in the time the flood took.
            assertTrue(accepted <= perSecond + Math.ceil(seconds * perSecond),
                    accepted + " accepted in " + seconds + " s");
            assertTrue(refused >= 1);
            await().atMost(WAIT).until(() -> flood.stream().filter(c -> !c.isConnected()).count() == refused);

            try (SocketClient other = SocketClient.plainFrom(OTHER_ADDRESS, harness.port())) {
                assertTrue(other.login(user("other")).getLogin(), "127.0.0.2 has its own budget");
            }
        }
    }

    @Test
    void connectionsOverTheTotalAreClosedWhateverTheirAddress(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, limits(redis, 2, 1000, 1000))) {
            ChatClient first = harness.login(user("first"));
            try (SocketClient second = SocketClient.plainFrom(OTHER_ADDRESS, harness.port())) {
                assertTrue(second.login(user("second")).getLogin());

                try (SocketClient third = SocketClient.plainFrom(OTHER_ADDRESS, harness.port())) {
                    assertTrue(third.awaitClosed(WAIT), "the server is full");
                }
                assertTrue(harness.connect().awaitClosed(WAIT), "for every address");
                assertEquals(2, harness.stats().get(Counter.CONNECTIONS_REFUSED_TOTAL));

                first.close();
                await().atMost(WAIT).until(() -> harness.server.connections() == 1);
                assertTrue(harness.login(user("third")).isConnected(), "room again once one left");
            }
        }
    }
}
