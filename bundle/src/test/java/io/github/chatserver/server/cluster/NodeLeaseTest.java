package io.github.chatserver.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.server.cluster.NodeRegistry.NodeStatus;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Node leases and the registry of live nodes, with two or three "nodes" (clients of their own) on a real Redis. */
@ExtendWith(RedisExtension.class)
class NodeLeaseTest {
    /** Short, so that a death is seen within seconds; renewed every 500 ms. */
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
    }

    private TestNode node(RedisServer redis, String id) {
        TestNode node = TestNode.on(redis, id);
        closeLast.add(node);
        return node;
    }

    private NodeLease lease(TestNode node, AtomicInteger sessions) {
        NodeLease lease = new NodeLease(node.redisson, node.id, TIMEOUT, node.scheduler,
                new NodeLease.Self("127.0.0.1:" + (9000 + sessions.get()), 1_700_000_000_000L, sessions::get));
        lease.start().toCompletableFuture().join();
        return lease;
    }

    private NodeRegistry registry(TestNode node) {
        NodeRegistry registry = new NodeRegistry(node.redisson, node.id, TIMEOUT, node.scheduler);
        closeLast.add(registry);
        registry.start().toCompletableFuture().join();
        return registry;
    }

    @Test
    void aNodeThatStopsRenewingIsDeadForTheOthersOnceItsLeaseExpired(RedisServer redis) {
        TestNode a = node(redis, TestNode.uniqueId("a"));
        TestNode b = node(redis, TestNode.uniqueId("b"));
        NodeLease leaseA = lease(a, new AtomicInteger());
        lease(b, new AtomicInteger());
        NodeRegistry seenByB = registry(b);
        List<String> deaths = new CopyOnWriteArrayList<>();
        seenByB.onDeadNode(deaths::add);
        await().atMost(WAIT).until(() -> seenByB.isAlive(a.id));
        assertTrue(leaseA.held());

        a.crash(); // no more renewals, no goodbye: the lease key stays until Redis expires it
        long crashedAt = System.nanoTime();

        await().atMost(WAIT).until(() -> deaths.contains(a.id));
        long seenAfterMillis = (System.nanoTime() - crashedAt) / 1_000_000;
        System.out.printf("BENCHMARK node-lease: a crashed node was seen dead %d ms after the crash (nodeLeaseTimeout %d ms)%n",
                seenAfterMillis, TIMEOUT.toMillis());
        // Its last renewal was at most a third of the timeout before the crash: not seen dead before that.
        assertTrue(seenAfterMillis >= TIMEOUT.toMillis() * 2 / 3 - 50, "seen dead after " + seenAfterMillis + " ms");
        assertTrue(seenByB.isDead(a.id));
        assertFalse(seenByB.isAlive(a.id));
        assertFalse(seenByB.aliveNodes().contains(a.id));
        assertTrue(seenByB.aliveNodes().contains(b.id));
        assertFalse(b.redisson.getBucket(ClusterKeys.lease(a.id)).isExists(), "Redis expired the lease");
        await().atMost(WAIT).until(() -> !leaseA.held()); // its own view, once the timeout passed without renewal

        // Whoever cleaned up after it forgets it; from then on it is no longer reported.
        assertTrue(seenByB.forget(a.id).toCompletableFuture().join());
        List<String> listed = seenByB.nodes().toCompletableFuture().join().stream().map(NodeStatus::nodeId).toList();
        assertFalse(listed.contains(a.id));
        assertTrue(listed.contains(b.id));
        deaths.clear();
        seenByB.refresh().toCompletableFuture().join();
        assertFalse(deaths.contains(a.id));
    }

    @Test
    void aDeadNodeIsReportedAgainAtEachLookUntilItIsForgotten(RedisServer redis) {
        TestNode a = node(redis, TestNode.uniqueId("a"));
        TestNode b = node(redis, TestNode.uniqueId("b"));
        lease(a, new AtomicInteger());
        NodeRegistry seenByB = registry(b);
        AtomicInteger reports = new AtomicInteger();
        seenByB.onDeadNode(id -> {
            if (id.equals(a.id)) {
                reports.incrementAndGet();
            }
        });
        a.crash();

        // Whoever took the cleanup may crash half-way: the others hear of the dead node again.
        await().atMost(WAIT).until(() -> reports.get() >= 3);
        assertTrue(seenByB.forget(a.id).toCompletableFuture().join());
        int after = reports.get();
        seenByB.refresh().toCompletableFuture().join();
        seenByB.refresh().toCompletableFuture().join();
        assertEquals(after, reports.get());
    }

    @Test
    void aGracefulStopReleasesTheLeaseSoTheOthersSeeItDeadAtTheirNextLook(RedisServer redis) {
        TestNode a = node(redis, TestNode.uniqueId("a"));
        TestNode b = node(redis, TestNode.uniqueId("b"));
        NodeLease leaseA = lease(a, new AtomicInteger());
        NodeRegistry seenByB = registry(b);
        await().atMost(WAIT).until(() -> seenByB.isAlive(a.id));

        leaseA.close();

        assertFalse(leaseA.held());
        assertTrue(seenByB.check(a.id).thenApply(alive -> !alive).toCompletableFuture().join());
        assertTrue(seenByB.isDead(a.id));
    }

    @Test
    void theListShowsEachNodesAddressStartSessionsAndLastRenewal(RedisServer redis) {
        TestNode a = node(redis, TestNode.uniqueId("a"));
        TestNode b = node(redis, TestNode.uniqueId("b"));
        AtomicInteger sessionsOfA = new AtomicInteger(7);
        long before = System.currentTimeMillis();
        lease(a, sessionsOfA);
        NodeRegistry seenByB = registry(b);

        sessionsOfA.set(42);
        await().atMost(WAIT).until(() -> statusOf(seenByB, a.id).sessions() == 42); // renewed with the new count
        NodeStatus status = statusOf(seenByB, a.id);
        assertTrue(status.alive());
        assertEquals("127.0.0.1:9007", status.listenAddress());
        assertEquals(1_700_000_000_000L, status.startedAtMillis());
        assertTrue(status.renewedAtMillis() >= before && status.renewedAtMillis() <= System.currentTimeMillis());
    }

    private static NodeStatus statusOf(NodeRegistry registry, String id) {
        return registry.nodes().toCompletableFuture().join().stream().filter(s -> s.nodeId().equals(id)).findFirst()
                .orElseThrow();
    }

    @Test
    void aLeaseThatLapsedIsReportedLostThenHeldAgain(RedisServer redis) {
        TestNode a = node(redis, TestNode.uniqueId("a"));
        List<Boolean> changes = new CopyOnWriteArrayList<>();
        NodeLease lease = new NodeLease(a.redisson, a.id, TIMEOUT, a.scheduler,
                new NodeLease.Self("127.0.0.1:1", 0, () -> 0));
        lease.onChange(changes::add);
        lease.start().toCompletableFuture().join();
        assertEquals(List.of(true), changes);

        a.redisson.getBucket(ClusterKeys.lease(a.id)).delete(); // as if Redis had expired it (renewals stuck meanwhile)

        await().atMost(WAIT).until(() -> changes.size() >= 3);
        assertEquals(List.of(true, false, true), changes, "lost (the others may have counted it dead), then held again");
        assertTrue(lease.held());
        lease.close();
    }

    @Test
    void twoProcessesWithTheSameNodeIdEachReportTheOther(RedisServer redis) {
        String id = TestNode.uniqueId("twin");
        TestNode first = node(redis, id);
        TestNode second = node(redis, id);
        List<Boolean> changes = new CopyOnWriteArrayList<>();
        NodeLease firstLease = new NodeLease(first.redisson, id, TIMEOUT, first.scheduler,
                new NodeLease.Self("127.0.0.1:1", 0, () -> 0));
        firstLease.onChange(changes::add);
        firstLease.start().toCompletableFuture().join();

        NodeLease secondLease = lease(second, new AtomicInteger());

        await().atMost(WAIT).until(() -> changes.contains(false));
        firstLease.close();
        secondLease.close();
    }

    @Test
    void aNodeThatComesBackAfterItsDeathIsAliveAgain(RedisServer redis) {
        String id = TestNode.uniqueId("phoenix");
        TestNode first = node(redis, id);
        TestNode b = node(redis, TestNode.uniqueId("b"));
        lease(first, new AtomicInteger());
        NodeRegistry seenByB = registry(b);
        first.crash();
        await().atMost(WAIT).until(() -> seenByB.isDead(id));

        TestNode restarted = node(redis, id);
        lease(restarted, new AtomicInteger());

        await().atMost(WAIT).until(() -> seenByB.isAlive(id));
        assertFalse(seenByB.forget(id).toCompletableFuture().join(), "a live node is not forgotten");
    }
}
