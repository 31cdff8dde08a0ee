package io.github.chatserver.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.server.storage.HashSlot;
import io.github.chatserver.server.storage.InFlight;
import io.github.chatserver.testing.RedisClusterExtension;
import io.github.chatserver.testing.RedisClusterFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster's building blocks on a real Redis Cluster (3 masters, a replica each): every script
 * keeps to one slot, the presence events published by a script reach every node, and inboxes on
 * different shards carry records in order.
 */
@ExtendWith(RedisClusterExtension.class)
class BlocksOnRedisClusterTest {
    private static final Duration LEASE = Duration.ofMillis(1500);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closeLast.add(resource);
        return resource;
    }

    /** A node with lease, registry and presence copy on the cluster. */
    private record Node(TestNode node, NodeRegistry registry, PresenceCache presence) {
    }

    private Node start(RedisClusterFixture cluster, String name) {
        TestNode node = closing(TestNode.on(cluster, TestNode.uniqueId(name)));
        closing(new NodeLease(node.redisson, node.id, LEASE, node.scheduler, new NodeLease.Self("127.0.0.1:1", 0, () -> 3)))
                .start().toCompletableFuture().join();
        NodeRegistry registry = closing(new NodeRegistry(node.redisson, node.id, LEASE, node.scheduler));
        registry.start().toCompletableFuture().join();
        PresenceCache presence = closing(new PresenceCache(node.redisson, registry));
        presence.start().toCompletableFuture().join();
        return new Node(node, registry, presence);
    }

    @Test
    void leasesPresenceAndDeliveryLeasesWorkAcrossShards(RedisClusterFixture cluster) {
        Node a = start(cluster, "a");
        Node b = start(cluster, "b");
        await().atMost(WAIT).until(() -> b.registry().check(a.node().id).toCompletableFuture().join());
        assertTrue(b.registry().nodes().toCompletableFuture().join().stream()
                .anyMatch(s -> s.nodeId().equals(a.node().id) && s.sessions() == 3));

        String ann = TestNode.uniqueId("ann");
        a.presence().claim(ann, a.node().id + "/1").toCompletableFuture().join();
        await().atMost(WAIT).until(() -> (a.node().id + "/1").equals(b.presence().locate(ann)));
        assertTrue(a.presence().release(ann, a.node().id + "/1").toCompletableFuture().join());
        await().atMost(WAIT).until(() -> b.presence().locate(ann) == null);

        DeliveryLease onA = new DeliveryLease(a.node().redisson, a.node().scheduler, Duration.ofSeconds(3));
        DeliveryLease onB = new DeliveryLease(b.node().redisson, b.node().scheduler, Duration.ofSeconds(3));
        DeliveryLease.Held held = onA.tryAcquire(ann).toCompletableFuture().join().orElseThrow();
        assertTrue(onB.tryAcquire(ann).toCompletableFuture().join().isEmpty());
        held.release().toCompletableFuture().join();
        onB.tryAcquire(ann).toCompletableFuture().join().orElseThrow().close();
    }

    @Test
    void inboxesOnSeveralShardsCarryRecordsInOrder(RedisClusterFixture cluster) {
        TestNode sender = closing(TestNode.on(cluster, TestNode.uniqueId("sender")));
        InboxSender out = new InboxSender(sender.redisson, new InFlight());
        List<TestNode> targets = new ArrayList<>();
        List<Received> received = new ArrayList<>();
        Set<String> masters = new HashSet<>();
        for (int i = 0; targets.size() < 3 && i < 100; i++) {
            String id = TestNode.uniqueId("t" + i);
            if (masters.add(cluster.masterOfSlot(HashSlot.of(ClusterKeys.inbox(id))))) { // one inbox per shard
                TestNode target = closing(TestNode.on(cluster, id));
                Received atTarget = new Received();
                closing(new NodeInbox(target.redisson, id, target.scheduler, atTarget)).start()
                        .toCompletableFuture().join();
                targets.add(target);
                received.add(atTarget);
            }
        }
        assertEquals(3, targets.size(), "an inbox on each master");

        List<CompletableFuture<Boolean>> sent = new ArrayList<>();
        for (int m = 0; m < 500; m++) {
            for (TestNode target : targets) {
                sent.add(out.send(target.id, Received.record("m" + m)).toCompletableFuture());
            }
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        assertTrue(sent.stream().allMatch(CompletableFuture::join));
        List<String> expected = IntStream.range(0, 500).mapToObj(m -> "m" + m).toList();
        for (Received atTarget : received) {
            await().atMost(WAIT).until(() -> atTarget.size() >= 500);
            assertEquals(expected, atTarget.texts());
        }
        System.out.printf("BENCHMARK inbox on Redis Cluster: %d records to 3 shards in %d entries%n",
                out.recordsSent(), out.entriesSent());
    }
}
