package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore.Kind;
import io.github.chatserver.testing.PersistentRedis;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Redis goes away for {@link #OUTAGE} in the middle of continuous traffic and comes back on the
 * same port, with what it had acknowledged (append-only file, fsync always). Online pairs chat
 * throughout; other senders write to users who are offline, so their messages need storage, and
 * the retry buffer is small enough to fill during the outage. At the end every message sent was
 * delivered exactly once (online, or served from storage), or was refused visibly: it was sent on
 * a connection the server closed, and the server counted one refusal per such connection.
 */
@ExtendWith(RedisExtension.class)
@PersistentRedis
class RedisOutageTest {
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    private static final Duration BEFORE = Duration.ofSeconds(2);
    private static final Duration AFTER = Duration.ofSeconds(3);
    private static final long PACE_MILLIS = 20;
    /** Two offline senders at 50/s fill this in about 3 s of the outage. */
    private static final int BUFFER = 300;
    private static final String UNAVAILABLE = "service temporarily unavailable";
    /** Documented bound for a refused login with Redis unreachable ({@code RedisStore}), plus scheduling slack. */
    private static final Duration LOGIN_BOUND = Duration.ofMillis(2_500);
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** One message sent: who to whom, and on which of the sender's connections. */
    private record Sent(String sender, String recipient, int n, String connection, boolean online) {
    }

    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    /** Connections (sender#epoch) that the server closed while the test was sending on them. */
    private final Set<String> closedByServer = ConcurrentHashMap.newKeySet();
    private final List<String> loginRefusalsDuringOutage = new CopyOnWriteArrayList<>();
    private final List<Throwable> trafficErrors = new CopyOnWriteArrayList<>();

    @Test
    void chatGoesOnThroughAnOutageAndEveryMessageIsDeliveredOnceOrRefusedVisibly(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.withRetryBuffer(redis, BUFFER))) {
            List<String> pairs = List.of(user("a0"), user("b0"), user("a1"), user("b1"));
            Map<String, ChatClient> online = new HashMap<>();
            for (String u : pairs) {
                online.put(u, harness.login(u));
            }
            List<String> offline = List.of(user("off0"), user("off1"));
            List<String> offlineSenders = List.of(user("s0"), user("s1"));

            ScheduledExecutorService traffic = Executors.newScheduledThreadPool(pairs.size() + offlineSenders.size());
            for (int i = 0; i < pairs.size(); i++) {
                String me = pairs.get(i);
                String partner = pairs.get(i ^ 1);
                ChatClient client = online.get(me);
                int[] n = {0};
                traffic.scheduleWithFixedDelay(guarded(() -> {
                    String id = me + "#" + n[0];
                    sent.put(id, new Sent(me, partner, n[0]++, me + "#0", true));
                    client.send(text(me, partner, id));
                }), 0, PACE_MILLIS, TimeUnit.MILLISECONDS);
            }
            AtomicBoolean redisDown = new AtomicBoolean();
            for (String me : offlineSenders) {
                traffic.scheduleWithFixedDelay(guarded(new OfflineSender(harness, me, offline, redisDown)),
                        0, PACE_MILLIS, TimeUnit.MILLISECONDS);
            }

            Thread.sleep(BEFORE.toMillis()); // traffic runs before the outage (time passing, not a wait for an event)
            long onlineBefore = harness.stats().get(Counter.MESSAGES_ONLINE);
            redis.stop();
            redisDown.set(true);
            long outageStart = System.nanoTime();

            // While Redis is down: logins are refused with the reason, in bounded time; online chat goes on.
            List<Long> probeMillis = new ArrayList<>();
            while (System.nanoTime() - outageStart < OUTAGE.toNanos()) {
                ChatClient probe = harness.connect();
                long t0 = System.nanoTime();
                probe.send(PbClientLogin.newBuilder().setUuid(user("probe")).setVersion(1.0f)
                        .setTimestamp(ChatClient.now()).build());
                PbServerAcceptLogin answer = probe.receive(PbServerAcceptLogin.class, WAIT);
                probeMillis.add((System.nanoTime() - t0) / 1_000_000);
                assertFalse(answer.getLogin(), "a login while Redis is down");
                assertTrue(answer.getTipsMsg().contains(UNAVAILABLE), "reason: " + answer.getTipsMsg());
                assertTrue(probe.awaitClosed(WAIT), "a refused login is closed");
                Thread.sleep(1000); // one probe a second through the outage
            }
            long onlineDuringOutage = harness.stats().get(Counter.MESSAGES_ONLINE) - onlineBefore;
            long refusedDuringOutage = harness.stats().get(Counter.MESSAGES_REFUSED);
            long bufferedDuringOutage = harness.stats().get(Counter.STORAGE_BUFFERED);

            redis.restart(); // same port, same data
            redisDown.set(false);
            long restartedAt = System.nanoTime();
            // Service resumes without restarting the server: a fresh login succeeds.
            await().atMost(WAIT).until(() -> {
                ChatClient c = harness.connect();
                boolean ok = c.login(user("after")).getLogin();
                c.close();
                return ok;
            });
            long recoveryMillis = (System.nanoTime() - restartedAt) / 1_000_000;
            Thread.sleep(AFTER.toMillis()); // traffic goes on after the outage (time passing)
            traffic.shutdown();
            assertTrue(traffic.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(List.of(), trafficErrors, "the traffic threads failed");

            // The buffer drains: everything kept for retry reaches Redis, and every message sent on a
            // connection the server did not close is stored (or was delivered online).
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.STORAGE_BUFFERED)
                    == harness.stats().get(Counter.STORAGE_DRAINED) + harness.stats().get(Counter.MESSAGES_LOST));
            await().atMost(WAIT).until(() -> new HashSet<>(harness.storedTexts(offline)).containsAll(expectedStored()));
            Set<String> storedBeforeFetch = new HashSet<>(harness.storedTexts(offline));

            // The offline users log in and fetch: each stored message, once, in send order per sender.
            Map<String, Integer> delivered = new HashMap<>();
            Map<String, List<Integer>> orderBySender = new HashMap<>();
            for (String o : offline) {
                int expected = harness.stored(Kind.C2C, o);
                ChatClient c = harness.login(o);
                c.send(PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(o).setTimestamp(ChatClient.now()).build());
                for (int i = 0; i < expected; i++) {
                    PbServerResponseC2COfflineMsg m = c.receive(PbServerResponseC2COfflineMsg.class, WAIT);
                    assertEquals(o, m.getToUuid());
                    record(delivered, orderBySender, m.getTextMsg(), m.getFromUuid() + "->" + o);
                }
                assertEquals(null, c.poll(Duration.ofMillis(300)), "nothing beyond what was stored");
                await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, o) == 0);
            }
            assertEquals(storedBeforeFetch, new HashSet<>(delivered.keySet()), "served exactly what was stored");

            // Online pairs received everything their partners sent, in order, including during the outage.
            for (String u : pairs) {
                ChatClient c = online.get(u);
                assertTrue(c.isConnected(), u + " was never disconnected");
                String partner = pairs.get(pairs.indexOf(u) ^ 1);
                long expected = sent.values().stream().filter(s -> s.sender().equals(partner)).count();
                for (int i = 0; i < expected; i++) {
                    PbC2CTextChat m = c.receive(PbC2CTextChat.class, WAIT);
                    record(delivered, orderBySender, m.getTextMsg(), m.getFromUuid() + "->" + u);
                }
                Packet extra = c.poll(Duration.ofMillis(200));
                if (extra != null) {
                    fail(u + " received more than was sent to it: " + extra.body());
                }
            }

            // Every message: delivered exactly once, or sent on a connection the server closed.
            List<String> duplicated = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            int refusedVisibly = 0;
            for (var e : sent.entrySet()) {
                int times = delivered.getOrDefault(e.getKey(), 0);
                if (times > 1) {
                    duplicated.add(e.getKey());
                } else if (times == 0) {
                    if (closedByServer.contains(e.getValue().connection())) {
                        refusedVisibly++;
                    } else {
                        missing.add(e.getKey());
                    }
                }
            }
            Set<String> unknown = new HashSet<>(delivered.keySet());
            unknown.removeAll(sent.keySet());
            assertEquals(List.of(), duplicated, "delivered twice");
            assertEquals(List.of(), missing, "neither delivered nor refused visibly");
            assertEquals(Set.of(), unknown, "delivered but never sent");
            orderBySender.forEach((route, ns) -> assertEquals(ns.stream().sorted().toList(), ns, "send order " + route));

            // What the server counted matches what the clients saw.
            assertEquals(closedByServer.size(), harness.stats().get(Counter.MESSAGES_REFUSED),
                    "one counted refusal per connection the server closed");
            assertEquals(0, harness.stats().get(Counter.MESSAGES_LOST));
            assertTrue(onlineDuringOutage > 100, "online chat went on during the outage: " + onlineDuringOutage);
            assertTrue(bufferedDuringOutage >= BUFFER, "the buffer filled: " + bufferedDuringOutage);
            assertTrue(refusedDuringOutage > 0, "a full buffer refused messages");
            assertTrue(harness.stats().get(Counter.STORAGE_DRAINED) >= BUFFER, "the buffer drained");
            assertTrue(probeMillis.stream().allMatch(ms -> ms < LOGIN_BOUND.toMillis()), "login refusals took " + probeMillis);
            assertTrue(loginRefusalsDuringOutage.stream().allMatch(r -> r.contains(UNAVAILABLE)), loginRefusalsDuringOutage.toString());

            long delivereds = delivered.size();
            System.out.printf("OUTAGE sent=%d delivered=%d refusedVisibly=%d closedConnections=%d online-during-outage=%d "
                            + "buffered=%d retries=%d drained=%d refused=%d login-refusal-ms=%s recovery-ms=%d "
                            + "sender-login-refusals=%d%n", sent.size(), delivereds, refusedVisibly, closedByServer.size(),
                    onlineDuringOutage, harness.stats().get(Counter.STORAGE_BUFFERED),
                    harness.stats().get(Counter.STORAGE_RETRIES), harness.stats().get(Counter.STORAGE_DRAINED),
                    harness.stats().get(Counter.MESSAGES_REFUSED), probeMillis, recoveryMillis,
                    loginRefusalsDuringOutage.size());
        }
    }

    /**
     * Sends to the offline users, alternately. When the server closes its connection (a refusal), it
     * notes that and logs in again; while Redis is down that login is refused, and it tries again
     * at its next turn.
     */
    private final class OfflineSender implements ThrowingRunnable {
        private final ServerHarness harness;
        private final String me;
        private final List<String> recipients;
        private final AtomicBoolean redisDown;
        private ChatClient client;
        private int epoch = -1;
        private int n;

        OfflineSender(ServerHarness harness, String me, List<String> recipients, AtomicBoolean redisDown) {
            this.harness = harness;
            this.me = me;
            this.recipients = recipients;
            this.redisDown = redisDown;
        }

        @Override
        public void run() throws Exception {
            if (client == null || !client.isConnected()) {
                if (client != null) {
                    closedByServer.add(me + "#" + epoch);
                    client.close();
                    client = null;
                }
                ChatClient c = harness.connect();
                boolean down = redisDown.get();
                PbServerAcceptLogin answer = c.login(me);
                if (!answer.getLogin()) {
                    if (down) {
                        loginRefusalsDuringOutage.add(answer.getTipsMsg());
                    }
                    c.close();
                    return;
                }
                client = c;
                epoch++;
            }
            String to = recipients.get(n % recipients.size());
            String id = me + "#" + n;
            sent.put(id, new Sent(me, to, n++, me + "#" + epoch, false));
            client.send(text(me, to, id));
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private Runnable guarded(ThrowingRunnable task) {
        return () -> {
            try {
                task.run();
            } catch (Exception | AssertionError e) {
                trafficErrors.add(e);
                throw new IllegalStateException(e); // stops this task
            }
        };
    }

    /** Messages to offline users sent on connections the server did not close: these must all be stored. */
    private Set<String> expectedStored() {
        Set<String> ids = new HashSet<>();
        sent.forEach((id, s) -> {
            if (!s.online() && !closedByServer.contains(s.connection())) {
                ids.add(id);
            }
        });
        return ids;
    }

    private static void record(Map<String, Integer> delivered, Map<String, List<Integer>> orderBySender, String id,
                               String route) {
        delivered.merge(id, 1, Integer::sum);
        orderBySender.computeIfAbsent(route, r -> new ArrayList<>()).add(Integer.parseInt(id.substring(id.lastIndexOf('#') + 1)));
    }
}
