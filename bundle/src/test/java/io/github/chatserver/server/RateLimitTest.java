package io.github.chatserver.server;

import com.google.protobuf.Message;
import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientPing;
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

import static io.github.chatserver.server.ServerHarness.frames;
import static io.github.chatserver.server.ServerHarness.NO_OVERLOAD_LIMITS;
import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-session rate limits: a session over its packets or bytes per second is not read until it is
 * back within (its packets are delayed, not dropped), and closed if it stays over for longer than
 * {@code throttleGrace}; a session within its rate never notices. Pipelined bursts are sent in
 * one write, so the server sees them at once.
 */
@ExtendWith(RedisExtension.class)
class RateLimitTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static ServerSettings rate(RedisServer redis, int packetsPerSecond, int bytesPerSecond, Duration grace) {
        OverloadSettings o = NO_OVERLOAD_LIMITS;
        return ServerHarness.settings(redis).withOverload(new OverloadSettings(o.maxConnections(),
                o.maxConnectionsPerAddress(), o.connectionsPerSecondPerAddress(), o.connectionBurstPerAddress(),
                packetsPerSecond, bytesPerSecond, grace, o.maxQueuedOutboundBytes(), o.storageRetryBuffer()));
    }

    private static List<PbC2CTextChat> texts(String from, String to, int count, String padding) {
        List<PbC2CTextChat> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            texts.add(text(from, to, i + ":" + padding));
        }
        return texts;
    }

    private static void assertReceivesInOrder(ChatClient to, int count) throws Exception {
        assertReceivesInOrderFrom(to, 0, count);
    }

    private static void assertReceivesInOrderFrom(ChatClient to, int first, int count) throws Exception {
        for (int i = first; i < first + count; i++) {
            String got = to.receive(PbC2CTextChat.class, WAIT).getTextMsg();
            assertEquals(String.valueOf(i), got.substring(0, got.indexOf(':')), "message " + i + " in order");
        }
    }

    @Test
    void aSessionWithinItsRateIsNeverThrottled(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, rate(redis, 20, 1 << 20, Duration.ofSeconds(1)))) {
            String sam = user("sam");
            String rita = user("rita");
            ChatClient s = harness.login(sam);
            ChatClient r = harness.login(rita);

            s.sendRaw(frames(texts(sam, rita, 15, ""))); // the login took one token of twenty

            assertReceivesInOrder(r, 15);
            assertEquals(0, harness.stats().get(Counter.SESSIONS_THROTTLED));
        }
    }

    private static List<PbClientPing> pings(int count) {
        List<PbClientPing> pings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pings.add(PbClientPing.newBuilder().setPing(true).setTimestamp(ChatClient.now()).build());
        }
        return pings;
    }

    @Test
    void packetsOverTheRateAreDelayedUntilTheDebtIsPaidNotDroppedAndTheSessionStays(RedisServer redis)
            throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, rate(redis, 20, 1 << 20, Duration.ofSeconds(5)))) {
            String sam = user("sam");
            String rita = user("rita");
            ChatClient s = harness.login(sam);
            ChatClient r = harness.login(rita);
            List<Message> burst = new ArrayList<>(pings(30));
            burst.add(text(sam, rita, "0:in the burst"));
            long start = System.nanoTime();

            // 31 packets in one read (800 bytes) with at most 20 tokens: at least 11 in debt, 550 ms at 20/s.
            s.sendRaw(frames(burst));
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.SESSIONS_THROTTLED) == 1);
            s.sendRaw(frames(List.of(text(sam, rita, "1:after the burst")))); // not read until the debt is paid

            assertReceivesInOrder(r, 2);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 500, "the packet after the burst was read after " + millis + " ms");
            assertEquals(0, harness.stats().get(Counter.THROTTLED_CLOSED));
            s.send(text(sam, rita, "2:still here"));
            assertReceivesInOrderFrom(r, 2, 1);
        }
    }

    @Test
    void bytesOverTheRateAreDelayedNotDropped(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, rate(redis, 1000, 8192, Duration.ofSeconds(10)))) {
            String sam = user("sam");
            String rita = user("rita");
            ChatClient s = harness.login(sam);
            ChatClient r = harness.login(rita);

            s.sendRaw(frames(texts(sam, rita, 12, "x".repeat(1500)))); // 18 KB against a burst of 8 KB

            assertReceivesInOrder(r, 12);
            assertTrue(harness.stats().get(Counter.SESSIONS_THROTTLED) >= 1);
            assertEquals(0, harness.stats().get(Counter.THROTTLED_CLOSED));
            assertTrue(s.isConnected());
        }
    }

    @Test
    void aByteFloodIsClosedAfterTheGrace(RedisServer redis) throws Exception {
        Duration grace = Duration.ofSeconds(1);
        try (ServerHarness harness = ServerHarness.start(redis, rate(redis, 1000, 8192, grace))) {
            String sam = user("sam");
            ChatClient s = harness.login(sam);
            long start = System.nanoTime();

            s.sendRaw(frames(texts(sam, user("rita"), 40, "x".repeat(2000)))); // 80 KB: ten seconds' worth

            assertTrue(s.awaitClosed(grace.plus(WAIT)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= grace.toMillis() * 9 / 10, "closed after " + millis + " ms, before the grace");
            assertEquals(1, harness.stats().get(Counter.THROTTLED_CLOSED));
        }
    }

    @Test
    void aFloodIsThrottledThenClosedAfterTheGraceWhileOthersChatOn(RedisServer redis) throws Exception {
        Duration grace = Duration.ofSeconds(1);
        try (ServerHarness harness = ServerHarness.start(redis, rate(redis, 20, 1 << 20, grace))) {
            String sam = user("sam");
            String rita = user("rita");
            ChatClient s = harness.login(sam);
            ChatClient r = harness.login(rita);
            ChatClient flooder = harness.login(user("flooder"));
            long start = System.nanoTime();

            flooder.sendRaw(frames(pings(2000))); // 48 KB: 100 seconds' worth at 20 a second

            await().atMost(WAIT).until(() -> harness.stats().get(Counter.SESSIONS_THROTTLED) >= 1);
            s.sendRaw(frames(texts(sam, rita, 10, ""))); // within its own rate, during the flood
            assertReceivesInOrder(r, 10);
            assertTrue(flooder.awaitClosed(grace.plus(WAIT)), "the flooder is closed");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= grace.toMillis() * 9 / 10, "closed after " + millis + " ms, before the grace");
            assertEquals(1, harness.stats().get(Counter.THROTTLED_CLOSED));
            s.send(text(sam, rita, "unaffected"));
            assertEquals("unaffected", r.receive(PbC2CTextChat.class, WAIT).getTextMsg());
            assertEquals(1, harness.stats().get(Counter.THROTTLED_CLOSED), "only the flooder");
        }
    }

    @Test
    void aLoweredRateAppliesAtOnceToASessionAlreadyOpen(RedisServer redis) throws Exception {
        ServerSettings generous = rate(redis, 1000, 1 << 20, Duration.ofSeconds(5));
        try (ServerHarness harness = ServerHarness.start(redis, generous)) {
            String sam = user("sam");
            String rita = user("rita");
            ChatClient s = harness.login(sam);
            ChatClient r = harness.login(rita);
            s.sendRaw(frames(texts(sam, rita, 1, "before"))); // the session's buckets exist, at 1000/s
            assertReceivesInOrder(r, 1);

            ServerSettings strict = harness.server.settings()
                    .withOverload(rate(redis, 20, 1 << 20, Duration.ofSeconds(5)).overload());
            assertTrue(harness.server.reconfigure(strict), "applied in place");
            List<Message> burst = new ArrayList<>(pings(30)); // within 1000/s, 10 over a burst of 20
            burst.add(text(sam, rita, "1:after the change"));
            s.sendRaw(frames(burst));

            await().atMost(WAIT).until(() -> harness.stats().get(Counter.SESSIONS_THROTTLED) == 1);
            assertReceivesInOrderFrom(r, 1, 1);
            assertEquals(0, harness.stats().get(Counter.THROTTLED_CLOSED));
        }
    }
}
