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
 * Connections over the limits (in total, per source address, and the attempt rate per address: a
 * burst, then so many a second) are closed on accept, before the handler hears of them, while
 * another address (127.0.0.2, also loopback) still gets in. With the defaults, a thousand users
 * behind one address may all connect at once. A live change of the rate applies at once to an
 * address already seen. All traffic stays on loopback and is bounded.
 */
@ExtendWith(RedisExtension.class)
class ConnectionLimitTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String OTHER_ADDRESS = "127.0.0.2";

    private static ServerSettings limits(RedisServer redis, int total, int perAddress, int perSecond, int burst) {
        return ServerHarness.settings(redis).withOverload(overload(total, perAddress, perSecond, burst));
    }

    private static OverloadSettings overload(int total, int perAddress, int perSecond, int burst) {
        OverloadSettings o = NO_OVERLOAD_LIMITS;
        return new OverloadSettings(total, perAddress, perSecond, burst, o.packetsPerSecond(), o.bytesPerSecond(),
                o.throttleGrace(), o.maxQueuedOutboundBytes(), o.storageRetryBuffer());
    }

    /** Changes the connection limits of the running server as a .cfg edit does (in place). */
    private static void reconfigure(ServerHarness harness, int perSecond, int burst) {
        ServerSettings next = harness.server.settings().withOverload(overload(1000, 1000, perSecond, burst));
        assertTrue(harness.server.reconfigure(next), "applied in place");
    }

    /**
     * What the server made of a flood of connection attempts from 127.0.0.1: how many it admitted
     * and refused for the rate (its counters), and the seconds from the first attempt until it had
     * decided on the last (the longest the buckets could refill meanwhile).
     */
    private record Flood(long accepted, long refused, double seconds) {
        /** The most a bucket of this rate and burst can admit in the flood's time. */
        long mostAdmissible(int perSecond, int burst) {
            return burst + (long) Math.ceil(seconds * perSecond);
        }
    }

    private static Flood flood(ServerHarness harness, ChatConnector connector, int attempts) throws Exception {
        long acceptedBefore = harness.stats().get(Counter.CONNECTIONS_ACCEPTED);
        long refusedBefore = harness.stats().get(Counter.CONNECTIONS_REFUSED_RATE);
        long start = System.nanoTime();
        List<ChatClient> flood = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            flood.add(connector.connect("127.0.0.1", harness.port()));
        }
        await().atMost(WAIT).until(() -> harness.stats().get(Counter.CONNECTIONS_ACCEPTED) - acceptedBefore
                + harness.stats().get(Counter.CONNECTIONS_REFUSED_RATE) - refusedBefore == attempts);
        double seconds = (System.nanoTime() - start) / 1e9;
        long accepted = harness.stats().get(Counter.CONNECTIONS_ACCEPTED) - acceptedBefore;
        long refused = harness.stats().get(Counter.CONNECTIONS_REFUSED_RATE) - refusedBefore;
        // Each refusal counted is a connection the server closed, and only those are closed.
        await().atMost(WAIT).until(() -> flood.stream().filter(c -> !c.isConnected()).count() == refused);
        return new Flood(accepted, refused, seconds);
    }

    @Test
    void connectionsOverThePerAddressLimitAreClosedAtOnceAndAnotherAddressStillGetsIn(RedisServer redis)
            throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, limits(redis, 1000, 3, 1000, 1000))) {
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
    void aFloodBeyondTheBurstIsHeldToTheRateCountedAndAnotherAddressStillGetsIn(RedisServer redis)
            throws Exception {
        int perSecond = 5;
        int burst = 10;
        try (ServerHarness harness = ServerHarness.start(redis, limits(redis, 1000, 1000, perSecond, burst));
             ChatConnector connector = ChatConnector.legacy()) {
            Flood flood = flood(harness, connector, 100);

            assertTrue(flood.accepted() >= burst, "the burst is admitted: " + flood);
            assertTrue(flood.accepted() <= flood.mostAdmissible(perSecond, burst), "then only the rate: " + flood);
            assertEquals(100 - flood.accepted(), flood.refused(), "every other attempt is refused for the rate");
            assertEquals(flood.refused(), harness.stats().get(Counter.CONNECTIONS_REFUSED_RATE));
            assertEquals(0, harness.stats().get(Counter.CONNECTIONS_REFUSED_PER_ADDRESS));
            assertEquals(0, harness.stats().get(Counter.CONNECTIONS_REFUSED_TOTAL));

            try (SocketClient other = SocketClient.plainFrom(OTHER_ADDRESS, harness.port())) {
                assertTrue(other.login(user("other")).getLogin(), "127.0.0.2 has its own budget");
            }
        }
    }

    /**
     * An office behind NAT after a server restart: everyone reconnects at once from one address.
     * Two sockets per connection in this JVM (client and server side), well within the open file
     * limit.
     */
    @Test
    void aThousandConnectionsAtOnceFromOneAddressAreAdmittedAndLogInWithTheDefaults(RedisServer redis)
            throws Exception {
        int users = 1000;
        ServerSettings defaults = ServerSettings.defaults(redis.address()).withPort(0);
        try (ServerHarness harness = ServerHarness.start(redis, defaults)) {
            try (ChatConnector connector = ChatConnector.legacy()) {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < users; i++) {
                    names.add(user("nat" + i));
                }

                List<ChatClient> clients = harness.loginMany(connector, names);

                assertEquals(users, clients.stream().filter(ChatClient::isConnected).count());
                assertEquals(users, harness.stats().get(Counter.LOGINS_OK));
                assertEquals(users, harness.server.connections());
                assertEquals(0, harness.stats().get(Counter.CONNECTIONS_REFUSED_RATE));
                assertEquals(0, harness.stats().get(Counter.CONNECTIONS_REFUSED_PER_ADDRESS));
                assertEquals(0, harness.stats().get(Counter.CONNECTIONS_REFUSED_TOTAL));
            }
            await().atMost(WAIT).until(() -> harness.server.connections() == 0);
        }
    }

    @Test
    void aRaisedRateAppliesAtOnceToAnAddressAlreadySeen(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, limits(redis, 1000, 1000, 1, 3));
             ChatConnector connector = ChatConnector.legacy()) {
            Flood before = flood(harness, connector, 20); // 127.0.0.1 has a bucket now, and it is empty
            assertTrue(before.accepted() <= before.mostAdmissible(1, 3), "held to 1/s: " + before);

            reconfigure(harness, 1_000_000, 1_000_000);
            // A token a microsecond: each attempt, a loopback round trip apart, finds one.
            Flood after = flood(harness, connector, 50);

            assertEquals(50, after.accepted(), "the new rate, at once, for 127.0.0.1: " + after);
            assertEquals(0, after.refused());
        }
    }

    @Test
    void aLoweredRateAndBurstApplyAtOnceToAnAddressAlreadySeen(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, limits(redis, 1000, 1000, 1000, 1000));
             ChatConnector connector = ChatConnector.legacy()) {
            Flood before = flood(harness, connector, 5); // 127.0.0.1 has a bucket now, nearly full
            assertEquals(5, before.accepted());

            reconfigure(harness, 1, 2);
            Flood after = flood(harness, connector, 20);

            assertTrue(after.accepted() <= after.mostAdmissible(1, 2),
                    "the new burst and rate, at once, for 127.0.0.1: " + after);
            assertEquals(20 - after.accepted(), after.refused());
        }
    }

    @Test
    void connectionsOverTheTotalAreClosedWhateverTheirAddress(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, limits(redis, 2, 1000, 1000, 1000))) {
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
