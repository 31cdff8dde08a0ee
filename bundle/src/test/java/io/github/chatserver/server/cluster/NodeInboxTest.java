package io.github.chatserver.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.server.storage.InFlight;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.client.codec.StringCodec;

/** Node inboxes between "nodes" (clients of their own in this JVM) on a real Redis. */
@ExtendWith(RedisExtension.class)
class NodeInboxTest {
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

    private NodeInbox startInbox(TestNode node, InboxReader.Handler handler) {
        NodeInbox inbox = closing(new NodeInbox(node.redisson, node.id, node.scheduler, handler));
        inbox.start().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        return inbox;
    }

    private static long inboxLength(TestNode node, String nodeId) {
        return node.redisson.getStream(ClusterKeys.inbox(nodeId), StringCodec.INSTANCE).size();
    }

    private static List<String> texts(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + i).toList();
    }

    /** Sends the texts in order, all at once (each send waits for nothing), and waits until Redis took every one. */
    private static void sendAll(InboxSender sender, String target, List<String> texts) {
        List<CompletableFuture<Boolean>> sent = texts.stream()
                .map(t -> sender.send(target, Received.record(t)).toCompletableFuture()).toList();
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        assertTrue(sent.stream().allMatch(CompletableFuture::join), "every record is in the inbox");
    }

    @Test
    void aBurstIsBatchedIntoFewEntriesAndArrivesOnceInEachProducersOrder(RedisServer redis) {
        TestNode a = closing(TestNode.on(redis, TestNode.uniqueId("a")));
        TestNode b = closing(TestNode.on(redis, TestNode.uniqueId("b")));
        Received atB = new Received();
        startInbox(b, atB);
        InboxSender fromA = new InboxSender(a.redisson, new InFlight());
        int producers = 4;
        int perProducer = 1000;
        long xaddsBefore = CommandStats.calls(b.redisson, "xadd");
        long commandsBefore = CommandStats.allCalls(b.redisson);

        List<CompletableFuture<Void>> bursts = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            List<String> mine = texts("p" + p + "#", 0, perProducer);
            bursts.add(CompletableFuture.runAsync(() -> sendAll(fromA, b.id, mine)));
        }
        bursts.forEach(CompletableFuture::join);
        int total = producers * perProducer;
        await().atMost(WAIT).until(() -> atB.size() >= total);
        await().atMost(WAIT).until(() -> inboxLength(b, b.id) == 0); // acknowledged and deleted

        long xadds = CommandStats.calls(b.redisson, "xadd") - xaddsBefore;
        long commands = CommandStats.allCalls(b.redisson) - commandsBefore - 2; // the two INFO calls
        System.out.printf("BENCHMARK inbox: %d records in %d XADDs (%.3f per record); Redis commands per record, "
                        + "sending, reading and acknowledging: %.3f%n",
                total, xadds, (double) xadds / total, (double) commands / total);
        assertTrue(xadds < 0.2 * total, xadds + " XADDs for " + total + " records");
        assertEquals(fromA.recordsSent(), total);
        assertEquals(xadds, fromA.entriesSent());

        List<String> received = atB.texts();
        assertEquals(total, received.size(), "nothing handled twice");
        assertEquals(total, new HashSet<>(received).size());
        for (int p = 0; p < producers; p++) {
            String prefix = "p" + p + "#";
            assertEquals(texts(prefix, 0, perProducer),
                    received.stream().filter(t -> t.startsWith(prefix)).toList(), "producer " + p + "'s order");
        }
    }

    @Test
    void aRecordAloneArrivesWithinMilliseconds(RedisServer redis) {
        TestNode a = closing(TestNode.on(redis, TestNode.uniqueId("a")));
        TestNode b = closing(TestNode.on(redis, TestNode.uniqueId("b")));
        Received atB = new Received();
        AtomicReference<CompletableFuture<Long>> arrival = new AtomicReference<>(new CompletableFuture<>());
        startInbox(b, record -> {
            arrival.get().complete(System.nanoTime());
            return atB.handle(record);
        });
        InboxSender fromA = new InboxSender(a.redisson, new InFlight());
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            CompletableFuture<Long> arrived = new CompletableFuture<>();
            arrival.set(arrived);
            long sent = System.nanoTime();
            fromA.send(b.id, Received.record("m" + i));
            micros.add((arrived.orTimeout(30, TimeUnit.SECONDS).join() - sent) / 1000);
        }
        List<Long> sorted = micros.stream().sorted().toList();
        System.out.printf("BENCHMARK inbox: one record from send to handler: median %d us, max %d us (50 records, one at a time)%n",
                sorted.get(25), sorted.get(49));
        await().atMost(WAIT).until(() -> atB.size() == 50);
        assertEquals(texts("m", 0, 50), atB.texts());
    }

    @Test
    void aNodeWithoutAnInboxIsAnsweredFalse(RedisServer redis) {
        TestNode a = closing(TestNode.on(redis, TestNode.uniqueId("a")));
        InboxSender fromA = new InboxSender(a.redisson, new InFlight());

        assertFalse(fromA.send(TestNode.uniqueId("never-started"), Received.record("x")).toCompletableFuture().join());
        assertEquals(0, fromA.entriesSent());
    }

    @Test
    void aNodeKilledMidBatchGetsItsUnfinishedEntriesFirstWhenItRestarts(RedisServer redis) {
        String id = TestNode.uniqueId("b");
        TestNode sender = closing(TestNode.on(redis, TestNode.uniqueId("sender")));
        InboxSender toB = new InboxSender(sender.redisson, new InFlight());
        TestNode first = closing(TestNode.on(redis, id));
        Received neverFinished = new Received(0); // takes the records, finishes none: killed in the middle
        new NodeInbox(first.redisson, id, first.scheduler, neverFinished).start().toCompletableFuture().join();
        sendAll(toB, id, texts("m", 0, 300));
        await().atMost(WAIT).until(() -> neverFinished.size() == 300);

        first.crash();
        sendAll(toB, id, texts("m", 300, 500)); // while it is down: never read

        TestNode restarted = closing(TestNode.on(redis, id));
        Received again = new Received();
        startInbox(restarted, again);

        await().atMost(WAIT).until(() -> again.size() >= 500);
        assertEquals(texts("m", 0, 500), again.texts(), "the 300 it had taken first, then the 200 new, each once");
        await().atMost(WAIT).until(() -> inboxLength(restarted, id) == 0);
    }

    @Test
    void aDeadNodesUnfinishedRecordsAreStoredInOrderByOneSurvivor(RedisServer redis) {
        TestNode sender = closing(TestNode.on(redis, TestNode.uniqueId("sender")));
        InboxSender toB = new InboxSender(sender.redisson, new InFlight());
        Survivor s1 = survivor(redis, "s1");
        Survivor s2 = survivor(redis, "s2");

        TestNode b = closing(TestNode.on(redis, TestNode.uniqueId("b")));
        new NodeLease(b.redisson, b.id, LEASE, b.scheduler, new NodeLease.Self("127.0.0.1:1", 0, () -> 0))
                .start().toCompletableFuture().join();
        String bobOnB = TestNode.uniqueId("bob");
        s1.presence.claim(bobOnB, b.id + "/1").toCompletableFuture().join();
        Received atB = new Received(100); // finishes 100 records, takes 100 more and dies in the middle of them
        new NodeInbox(b.redisson, b.id, b.scheduler, atB).start().toCompletableFuture().join();
        sendAll(toB, b.id, texts("m", 0, 100));
        await().atMost(WAIT).until(() -> atB.size() == 100 && inboxLength(sender, b.id) == 0); // finished, deleted
        sendAll(toB, b.id, texts("m", 100, 200)); // separately: an entry is finished when all its records are
        await().atMost(WAIT).until(() -> atB.size() == 200);

        b.crash();
        sendAll(toB, b.id, texts("m", 200, 350)); // its death is not known yet: these are never read

        await().atMost(WAIT).until(() -> !sender.redisson.getStream(ClusterKeys.inbox(b.id), StringCodec.INSTANCE).isExists());
        List<String> stored = new ArrayList<>(s1.stored.texts());
        stored.addAll(s2.stored.texts());
        assertTrue(s1.stored.size() == 0 || s2.stored.size() == 0, "one survivor did it: " + s1.stored.size()
                + " and " + s2.stored.size());
        assertEquals(texts("m", 100, 350), stored, "every unfinished record, in order, once");
        Set<String> finishedAtB = Set.copyOf(atB.finished());
        assertTrue(stored.stream().noneMatch(finishedAtB::contains), "nothing finished at b is stored again");

        await().atMost(WAIT).until(() -> s1.presence.locate(bobOnB) == null
                && !sender.redisson.getMap(ClusterKeys.PRESENCE, StringCodec.INSTANCE).containsKey(bobOnB));
        await().atMost(WAIT).until(() -> !sender.redisson.getScoredSortedSet(ClusterKeys.NODES, StringCodec.INSTANCE)
                .contains(b.id));
        assertFalse(toB.send(b.id, Received.record("late")).toCompletableFuture().join(),
                "a late sender finds no inbox and stores the message itself");
    }

    @Test
    void aRestartWaitsWhileASurvivorEmptiesItsInbox(RedisServer redis) {
        String id = TestNode.uniqueId("b");
        TestNode survivor = closing(TestNode.on(redis, TestNode.uniqueId("survivor")));
        ExpiringLock claim = ExpiringLock.tryAcquire(survivor.redisson, ClusterKeys.inboxClaim(id), Duration.ofSeconds(30))
                .toCompletableFuture().join().orElseThrow();
        TestNode restarted = closing(TestNode.on(redis, id));
        NodeInbox inbox = closing(new NodeInbox(restarted.redisson, id, restarted.scheduler, new Received()));

        CompletableFuture<Void> started = inbox.start().toCompletableFuture();

        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> !started.isDone());
        assertTrue(claim.release().toCompletableFuture().join());
        started.orTimeout(30, TimeUnit.SECONDS).join();
        assertTrue(restarted.redisson.getStream(ClusterKeys.inbox(id), StringCodec.INSTANCE).isExists());
    }

    /** A surviving node: lease, registry, presence copy, inbox, and the clean-up after dead nodes, storing into {@link #stored}. */
    private final class Survivor {
        final PresenceCache presence;
        final Received stored = new Received();

        Survivor(TestNode node) {
            NodeLease lease = closing(new NodeLease(node.redisson, node.id, LEASE, node.scheduler,
                    new NodeLease.Self("127.0.0.1:1", 0, () -> 0)));
            lease.start().toCompletableFuture().join();
            NodeRegistry registry = closing(new NodeRegistry(node.redisson, node.id, LEASE, node.scheduler));
            presence = closing(new PresenceCache(node.redisson, registry));
            presence.start().toCompletableFuture().join();
            NodeInbox inbox = startInbox(node, new Received());
            new DeadNodeCleanup(registry, inbox, presence, stored).register();
            registry.start().toCompletableFuture().join();
        }
    }

    private Survivor survivor(RedisServer redis, String name) {
        return new Survivor(closing(TestNode.on(redis, TestNode.uniqueId(name))));
    }
}
