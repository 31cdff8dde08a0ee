package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ChatConnector;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.server.config.OfflinePolicy;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore.Kind;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.mina.core.session.IoSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Offline one-to-one messages: order, exactly-once, expiry, cap, owner-only, and no loss on disconnects. */
@ExtendWith(RedisExtension.class)
class OfflineTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static PbClientRequestC2COfflineMsg request(String user) {
        return PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(user).setTimestamp(ChatClient.now()).build();
    }

    /** Sends n texts "prefix0".."prefix(n-1)" from a fresh sender and waits until all are stored. */
    private static void storeTexts(ServerHarness harness, String to, String prefix, int n) throws Exception {
        String sender = user("sender");
        ChatClient s = harness.login(sender);
        int before = harness.stored(Kind.C2C, to);
        for (int i = 0; i < n; i++) {
            s.send(text(sender, to, prefix + i));
        }
        await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, to) == before + n);
    }

    private static List<String> receiveTexts(ChatClient c, int n) throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            texts.add(c.receive(PbServerResponseC2COfflineMsg.class, WAIT).getTextMsg());
        }
        return texts;
    }

    private static List<String> texts(String prefix, int from, int to) {
        List<String> t = new ArrayList<>();
        for (int i = from; i < to; i++) {
            t.add(prefix + i);
        }
        return t;
    }

    @Test
    void storedMessagesAreServedOnceInSendOrderWithSenderAndTime(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String bob = user("bob");
            long sentAt = ChatClient.now();
            storeTexts(harness, bob, "m", 250); // more than one delivery batch

            ChatClient b = harness.login(bob);
            b.send(request(bob));

            PbServerResponseC2COfflineMsg first = b.receive(PbServerResponseC2COfflineMsg.class, WAIT);
            assertEquals("m0", first.getTextMsg());
            assertTrue(first.getFromUuid().startsWith("sender-"));
            assertEquals(bob, first.getToUuid());
            assertTrue(Math.abs(first.getTimestamp() - sentAt) <= 2, "the original send time");
            List<String> rest = receiveTexts(b, 249);
            assertEquals(texts("m", 1, 250), rest);
            await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, bob) == 0);
            assertEquals(250, harness.stats().get(Counter.OFFLINE_DELIVERED));

            b.send(request(bob)); // nothing is delivered twice
            b.send(text(bob, bob, "marker"));
            assertEquals("marker", b.receive(PbC2CTextChat.class, WAIT).getTextMsg());
        }
    }

    @Test
    void anExpiredMessageIsNeverDeliveredWhateverArrivedAfterIt(RedisServer redis) throws Exception {
        var policy = new OfflinePolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 100, false);
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.settings(redis).withOffline(policy))) {
            String carol = user("carol");
            storeTexts(harness, carol, "old", 3);
            // The queue key expires with its newest message: its disappearance is the expiry, observed.
            await().atMost(WAIT).until(() -> !harness.redis().getBucket(Kind.C2C.key(carol)).isExists());
            storeTexts(harness, carol, "new", 2);

            ChatClient c = harness.login(carol);
            c.send(request(carol));

            assertEquals(List.of("new0", "new1"), receiveTexts(c, 2));
            assertNull(c.poll(Duration.ofMillis(300)), "nothing else is delivered");
        }
    }

    @Test
    void expiredMessagesStillStoredAreSkippedAndCounted(RedisServer redis) throws Exception {
        var policy = new OfflinePolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 100, false);
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.settings(redis).withOffline(policy))) {
            String dora = user("dora");
            storeTexts(harness, dora, "stale", 2);
            // Keep the key alive past its messages' expiry, so the expired entries are still there to skip.
            harness.redis().getBucket(Kind.C2C.key(dora)).expire(Duration.ofMinutes(1));
            long storedAt = System.currentTimeMillis();
            await().atMost(WAIT).until(() -> System.currentTimeMillis() - storedAt > 1100);
            storeTexts(harness, dora, "fresh", 1);

            ChatClient d = harness.login(dora);
            d.send(request(dora));

            assertEquals(List.of("fresh0"), receiveTexts(d, 1));
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.OFFLINE_EXPIRED) == 2);
            await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, dora) == 0);
        }
    }

    @Test
    void theCapKeepsTheNewestAndCountsTheDropped(RedisServer redis) throws Exception {
        var policy = new OfflinePolicy(Duration.ofDays(7), Duration.ofHours(7), 5, false);
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.settings(redis).withOffline(policy))) {
            String erin = user("erin");
            String sender = user("sender");
            ChatClient s = harness.login(sender);
            for (int i = 0; i < 8; i++) {
                s.send(text(sender, erin, "c" + i));
            }
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.MESSAGES_OFFLINE) == 8);
            assertEquals(3, harness.stats().get(Counter.OFFLINE_DROPPED));
            assertEquals(5, harness.stored(Kind.C2C, erin));

            ChatClient e = harness.login(erin);
            e.send(request(erin));
            assertEquals(texts("c", 3, 8), receiveTexts(e, 5));
        }
    }

    @Test
    void askingForSomeoneElsesMessagesClosesTheConnectionAndServesNothing(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String owner = user("owner");
            String thief = user("thief");
            storeTexts(harness, owner, "secret", 3);
            ChatClient t = harness.login(thief);

            t.send(request(owner));

            assertTrue(t.awaitClosed(WAIT));
            assertNull(t.poll(Duration.ZERO), "nothing was served before the close");
            assertEquals(1, harness.stats().violations(ProtocolViolation.Kind.FORBIDDEN));
            assertEquals(3, harness.stored(Kind.C2C, owner));
            ChatClient o = harness.login(owner);
            o.send(request(owner));
            assertEquals(texts("secret", 0, 3), receiveTexts(o, 3));
        }
    }

    @Test
    void aConnectionKilledMidDeliveryLeavesExactlyTheRestStored(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String fay = user("fay");
            int total = 2000;
            storeTexts(harness, fay, "k", total);

            ChatClient first = harness.login(fay);
            first.send(request(fay));
            List<String> got = new ArrayList<>(receiveTexts(first, 1));
            first.close(); // killed mid-delivery
            for (Packet p = first.poll(Duration.ZERO); p != null; p = first.poll(Duration.ZERO)) {
                got.add(p.body(PbServerResponseC2COfflineMsg.class).getTextMsg());
            }
            // The second session's delivery starts only after the first one settled (server rule),
            // so what it serves is exactly what the first did not finish writing.
            ChatClient second = harness.login(fay);
            second.send(request(fay));
            await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, fay) == 0);
            List<String> remaining = new ArrayList<>();
            for (Packet p = second.poll(Duration.ofSeconds(1)); p != null; p = second.poll(Duration.ofMillis(200))) {
                remaining.add(p.body(PbServerResponseC2COfflineMsg.class).getTextMsg());
            }

            // What MINA confirmed as written to the first connection left storage; the second gets
            // exactly what follows it. TCP cannot tell whether the one write in flight at the kill
            // reached the client, so that one is served again rather than risk losing it.
            int confirmedToFirst = total - remaining.size();
            assertTrue(remaining.size() > 0 && confirmedToFirst >= 0 && got.size() < total,
                    "the kill landed mid-delivery: first got " + got.size() + ", second " + remaining.size());
            assertEquals(texts("k", confirmedToFirst, total), remaining, "exactly the rest, in order; first got "
                    + got.size() + ", second began " + remaining.subList(0, Math.min(5, remaining.size())));
            assertEquals(texts("k", 0, got.size()), got, "the first connection got a prefix");
            assertTrue(got.size() <= confirmedToFirst + 1,
                    "at most the write in flight at the kill is served twice: first got " + got.size()
                            + ", confirmed " + confirmedToFirst);
            assertEquals(total, harness.stats().get(Counter.OFFLINE_DELIVERED));
        }
    }

    @Test
    void aWriteThatDoesNotCompleteBeforeTheRecipientGoesAwayIsStored(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String gus = user("gus");
            String sender = user("sender");
            ChatClient s = harness.login(sender);
            ChatConnector smallBuffer = ChatConnector.legacy().receiveBufferSize(8192);
            ChatClient g1 = smallBuffer.connect("127.0.0.1", harness.port());
            assertTrue(g1.login(gus).getLogin());
            g1.pauseReading(); // a stuck client: the server's writes to it pile up
            IoSession serverSide = harness.server.sessions().find(gus).orElseThrow();
            int total = 6000; // 6 MB: more than the kernel buffers on both sides hold
            String padding = "x".repeat(1000);
            for (int i = 0; i < total; i++) {
                s.send(text(sender, gus, i + ":" + padding));
            }
            // Every message has been routed to the stuck session (written or queued), after its login answer.
            await().atMost(WAIT).until(() -> TrackedWrites.framesIssued(serverSide) == total);
            assertTrue(TrackedWrites.framesInFlight(serverSide) > 0, "some writes are still queued");

            ChatClient g2 = harness.login(gus); // the stuck session is kicked with writes queued
            g1.resumeReading();
            assertTrue(g1.awaitClosed(WAIT));
            Set<Integer> seen = new HashSet<>();
            List<Integer> firstOrder = new ArrayList<>();
            for (Packet p = g1.poll(Duration.ZERO); p != null; p = g1.poll(Duration.ZERO)) {
                int n = Integer.parseInt(p.body(PbC2CTextChat.class).getTextMsg().split(":")[0]);
                firstOrder.add(n);
                seen.add(n);
            }
            int online = firstOrder.size();
            await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, gus) == total - online);

            g2.send(request(gus));
            List<Integer> secondOrder = new ArrayList<>();
            for (int i = 0; i < total - online; i++) {
                int n = Integer.parseInt(g2.receive(PbServerResponseC2COfflineMsg.class, WAIT).getTextMsg().split(":")[0]);
                assertFalse(seen.contains(n), "message " + n + " delivered twice");
                secondOrder.add(n);
            }
            List<Integer> all = new ArrayList<>(firstOrder);
            all.addAll(secondOrder);
            assertEquals(total, all.size());
            for (int i = 0; i < total; i++) {
                assertEquals(i, all.get(i), "every message exactly once, in order");
            }
            smallBuffer.close();
        }
    }

    @Test
    void pushOfflineOnLoginDeliversWithoutARequest(RedisServer redis) throws Exception {
        var policy = new OfflinePolicy(Duration.ofDays(7), Duration.ofHours(7), 100, true);
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.settings(redis).withOffline(policy))) {
            String hank = user("hank");
            storeTexts(harness, hank, "p", 3);

            ChatClient h = harness.connect();
            PbServerAcceptLogin answer = h.login(hank);

            assertTrue(answer.getLogin());
            assertEquals(texts("p", 0, 3), receiveTexts(h, 3));
        }
    }
}
