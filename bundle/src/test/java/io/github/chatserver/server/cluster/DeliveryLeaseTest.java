package io.github.chatserver.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.server.cluster.DeliveryLease.Held;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.client.codec.StringCodec;

/** One delivery of a user's stored messages at a time, cluster-wide: two contenders on two "nodes", a real Redis. */
@ExtendWith(RedisExtension.class)
class DeliveryLeaseTest {
    private static final Duration TTL = Duration.ofMillis(900);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
    }

    private DeliveryLease leases(RedisServer redis, String name) {
        TestNode node = TestNode.on(redis, TestNode.uniqueId(name));
        closeLast.add(node);
        return new DeliveryLease(node.redisson, node.scheduler, TTL);
    }

    private static Optional<Held> now(java.util.concurrent.CompletionStage<Optional<Held>> attempt) {
        return attempt.toCompletableFuture().join();
    }

    @Test
    void theSecondContenderIsRefusedUntilTheFirstReleases(RedisServer redis) {
        DeliveryLease onA = leases(redis, "a");
        DeliveryLease onB = leases(redis, "b");
        String user = TestNode.uniqueId("ann {x}");

        Held a = now(onA.tryAcquire(user)).orElseThrow();
        assertTrue(now(onB.tryAcquire(user)).isEmpty(), "held on a: refused on b");
        assertTrue(now(onA.tryAcquire(user)).isEmpty(), "and to a second session on a");
        Held other = now(onB.tryAcquire(TestNode.uniqueId("someone else"))).orElseThrow();

        assertTrue(a.release().toCompletableFuture().join());
        Held b = now(onB.tryAcquire(user)).orElseThrow();
        assertEquals(user, b.user());
        b.close();
        other.close();
    }

    @Test
    void aWaitingContenderGetsItWhenTheHolderReleases(RedisServer redis) {
        DeliveryLease onA = leases(redis, "a");
        DeliveryLease onB = leases(redis, "b");
        String user = TestNode.uniqueId("bob");
        Held a = now(onA.tryAcquire(user)).orElseThrow();

        CompletableFuture<Optional<Held>> waiting = onB.acquire(user, WAIT).toCompletableFuture();
        // Held longer than its expiry: the renewals keep it, so b keeps waiting.
        await().during(TTL.multipliedBy(2)).atMost(WAIT).until(() -> !waiting.isDone());
        assertFalse(a.lost().toCompletableFuture().isDone());

        a.release();
        Held b = waiting.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join().orElseThrow();
        b.close();
    }

    @Test
    void aWaitThatRunsOutIsRefused(RedisServer redis) {
        DeliveryLease onA = leases(redis, "a");
        DeliveryLease onB = leases(redis, "b");
        String user = TestNode.uniqueId("cy");
        Held a = now(onA.tryAcquire(user)).orElseThrow();

        assertTrue(now(onB.acquire(user, Duration.ofMillis(300))).isEmpty());
        a.close();
    }

    @Test
    void aCrashedHoldersLeaseExpiresAndTheWaiterGetsIt(RedisServer redis) {
        TestNode nodeA = TestNode.on(redis, TestNode.uniqueId("a"));
        closeLast.add(nodeA);
        DeliveryLease onA = new DeliveryLease(nodeA.redisson, nodeA.scheduler, TTL);
        DeliveryLease onB = leases(redis, "b");
        String user = TestNode.uniqueId("dee");
        now(onA.tryAcquire(user)).orElseThrow();

        nodeA.crash(); // no more renewals, no release
        long crashedAt = System.nanoTime();
        Held b = now(onB.acquire(user, WAIT)).orElseThrow();

        long afterMillis = (System.nanoTime() - crashedAt) / 1_000_000;
        System.out.printf("BENCHMARK delivery-lease: a crashed holder's lease passed to the waiter after %d ms (expiry %d ms)%n",
                afterMillis, TTL.toMillis());
        assertTrue(afterMillis >= TTL.toMillis() * 2 / 3 - 50, "not before the lease could expire: " + afterMillis);
        b.close();
    }

    @Test
    void aHolderWhoseLeaseWasTakenIsToldAndCannotDeleteTheNewOne(RedisServer redis) {
        TestNode nodeA = TestNode.on(redis, TestNode.uniqueId("a"));
        closeLast.add(nodeA);
        DeliveryLease onA = new DeliveryLease(nodeA.redisson, nodeA.scheduler, TTL);
        DeliveryLease onB = leases(redis, "b");
        String user = TestNode.uniqueId("eve");
        Held a = now(onA.tryAcquire(user)).orElseThrow();

        // As if a's node had stalled past the expiry (a long pause) and b had taken over.
        nodeA.redisson.getBucket(ClusterKeys.delivering(user), StringCodec.INSTANCE).delete();
        Held b = now(onB.tryAcquire(user)).orElseThrow();

        a.lost().toCompletableFuture().orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
        assertFalse(a.release().toCompletableFuture().join(), "not a's any more");
        assertTrue(now(onA.tryAcquire(user)).isEmpty(), "b still holds it");
        assertTrue(b.release().toCompletableFuture().join());
    }
}
