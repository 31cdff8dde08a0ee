package io.github.chatserver.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RMap;
import org.redisson.client.codec.StringCodec;

/** The presence copy of two "nodes" (clients of their own in this JVM) on a real Redis. */
@ExtendWith(RedisExtension.class)
class PresenceCacheTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> closeLast = new ArrayList<>();

    /** One node with its lease, registry and presence copy. */
    private record Node(TestNode node, NodeLease lease, NodeRegistry registry, PresenceCache presence) {
        String id() {
            return node.id;
        }

        String marker(long session) {
            return node.id + "/" + session;
        }
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
    }

    private Node start(RedisServer redis, String name) {
        TestNode node = TestNode.on(redis, TestNode.uniqueId(name));
        closeLast.add(node);
        NodeLease lease = new NodeLease(node.redisson, node.id, TIMEOUT, node.scheduler,
                new NodeLease.Self("127.0.0.1:1", 0, () -> 0));
        lease.start().toCompletableFuture().join();
        closeLast.add(lease);
        NodeRegistry registry = new NodeRegistry(node.redisson, node.id, TIMEOUT, node.scheduler);
        closeLast.add(registry);
        registry.start().toCompletableFuture().join();
        PresenceCache presence = new PresenceCache(node.redisson, registry);
        closeLast.add(presence);
        presence.start().toCompletableFuture().join();
        return new Node(node, lease, registry, presence);
    }

    private static String user(String name) {
        return TestNode.uniqueId(name);
    }

    @Test
    void aClaimOnOneNodeIsSeenOnTheOtherAndTheClaimAnswersTheOldMarker(RedisServer redis) {
        Node a = start(redis, "a");
        Node b = start(redis, "b");
        String alice = user("alice ✓ {x}");

        assertNull(a.presence().claim(alice, a.marker(1)).toCompletableFuture().join());
        assertEquals(a.marker(1), a.presence().locate(alice), "the claiming node knows at once");
        await().atMost(WAIT).until(() -> a.marker(1).equals(b.presence().locate(alice)));
        printPropagation(a, b);

        // The same user logs in on b: the claim answers a's marker (whose session must now close).
        assertEquals(a.marker(1), b.presence().claim(alice, b.marker(7)).toCompletableFuture().join());
        await().atMost(WAIT).until(() -> b.marker(7).equals(a.presence().locate(alice)));

        // a's late release of its old session does not remove b's newer one.
        assertFalse(a.presence().release(alice, a.marker(1)).toCompletableFuture().join());
        assertEquals(b.marker(7), b.presence().locate(alice));
        assertTrue(b.presence().release(alice, b.marker(7)).toCompletableFuture().join());
        await().atMost(WAIT).until(() -> a.presence().locate(alice) == null);
        assertNull(b.presence().locate(alice));
    }

    /** How long claims on a take to be seen on b: a busy loop on b's copy, the claims one after another. */
    private static void printPropagation(Node a, Node b) {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String u = user("p" + i);
            a.presence().claim(u, a.marker(i)).toCompletableFuture().join();
            long claimed = System.nanoTime();
            long deadline = claimed + WAIT.toNanos();
            while (b.presence().locate(u) == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            micros.add((System.nanoTime() - claimed) / 1000);
        }
        List<Long> sorted = micros.stream().sorted().toList();
        System.out.printf("BENCHMARK presence: a claim answered on one node is seen on the other after "
                + "median %d us, max %d us (50 claims; the event may arrive before the answer: 0)%n",
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    @Test
    void theUsersOfADeadNodeReadAsOfflineAndCanBeReleased(RedisServer redis) {
        Node a = start(redis, "a");
        Node b = start(redis, "b");
        List<String> users = List.of(user("u1"), user("u2"), user("u3"));
        for (int i = 0; i < users.size(); i++) {
            a.presence().claim(users.get(i), a.marker(i)).toCompletableFuture().join();
        }
        String onB = user("stays");
        b.presence().claim(onB, b.marker(1)).toCompletableFuture().join();
        await().atMost(WAIT).until(() -> users.stream().allMatch(u -> b.presence().locate(u) != null));

        a.node().crash();

        await().atMost(WAIT).until(() -> users.stream().allMatch(u -> b.presence().locate(u) == null));
        assertEquals(b.marker(1), b.presence().locate(onB));
        RMap<String, String> hash = b.node().redisson.getMap(ClusterKeys.PRESENCE, StringCodec.INSTANCE);
        assertTrue(hash.keySet().containsAll(users), "still in Redis: only read as offline");

        assertEquals(3, b.presence().releaseAllOf(a.id()).toCompletableFuture().join());
        assertFalse(hash.keySet().stream().anyMatch(users::contains), "removed from Redis");
        assertTrue(hash.containsKey(onB));
        assertEquals(0, b.presence().releaseAllOf(a.id()).toCompletableFuture().join(), "nothing left: a no-op");
    }

    @Test
    void aNewSubscriptionReadsEverythingAgain(RedisServer redis) throws Exception {
        Node a = start(redis, "a");
        Node b = start(redis, "b");
        String bob = user("bob");
        // Written behind the caches' backs, with no event: as if the event was missed while a
        // subscription was down.
        b.node().redisson.getMap(ClusterKeys.PRESENCE, StringCodec.INSTANCE).fastPut(bob, a.marker(9));
        assertNull(b.presence().locate(bob));
        long loadsBefore = b.presence().loads();

        RawRedis.command(redis.port(), "CLIENT", "KILL", "TYPE", "pubsub"); // every subscription connection drops

        await().atMost(WAIT).until(() -> a.marker(9).equals(b.presence().locate(bob)));
        assertTrue(b.presence().loads() > loadsBefore);
        // Events flow again on the new subscription.
        String carol = user("carol");
        a.presence().claim(carol, a.marker(10)).toCompletableFuture().join();
        await().atMost(WAIT).until(() -> a.marker(10).equals(b.presence().locate(carol)));
    }

    @Test
    void aCopyLoadedInPagesWhileClaimsAndReleasesGoOnEqualsTheHash(RedisServer redis) {
        Node a = start(redis, "a");
        RMap<String, String> hash = a.node().redisson.getMap(ClusterKeys.PRESENCE, StringCodec.INSTANCE);
        Map<String, String> preloaded = new HashMap<>();
        for (int i = 0; i < 2 * PresenceCache.PAGE + 500; i++) {
            preloaded.put(user("pre" + i), a.marker(i));
        }
        hash.putAll(preloaded);

        // b loads while a keeps claiming and releasing.
        AtomicInteger session = new AtomicInteger(100_000);
        List<String> busy = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            busy.add(user("busy" + i));
        }
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int round = 0; round < 20; round++) {
                for (String u : busy) {
                    String marker = a.marker(session.incrementAndGet());
                    a.presence().claim(u, marker).toCompletableFuture().join();
                    if ((round + u.hashCode()) % 3 == 0) {
                        a.presence().release(u, marker).toCompletableFuture().join();
                    }
                }
            }
        });
        Node b = start(redis, "b");
        writer.join();

        Map<String, String> truth = hash.readAllMap();
        truth.values().removeIf(marker -> !PresenceCache.nodeOf(marker).equals(a.id())); // earlier tests' dead nodes read as offline
        await().atMost(WAIT).until(() -> truth.keySet().stream()
                .allMatch(u -> truth.get(u).equals(b.presence().locate(u))));
        for (String u : busy) {
            assertEquals(truth.get(u), b.presence().locate(u), u);
        }
        assertEquals(hash.size(), b.presence().size(), "every entry, dead nodes' included");
    }
}
