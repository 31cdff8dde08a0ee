package io.github.chatserver.testing;

import static io.github.chatserver.testing.NumberedKeys.read;
import static io.github.chatserver.testing.NumberedKeys.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

@ExtendWith(RedisClusterExtension.class)
class RedisClusterFixtureTest {
    @Test
    void servesEveryShardAndKeepsReplicatedDataThroughTheLossOfAMaster(RedisClusterFixture cluster) {
        assertEquals(6, cluster.addresses().size());
        assertEquals(3, cluster.masters().size());
        assertEquals(3, cluster.replicas().size());

        RedissonClient client = connect(cluster);
        try {
            Map<String, String> before = write(client, "before");
            assertEquals(before, read(client, before.keySet()));
            Set<String> shards = before.keySet().stream()
                    .map(key -> cluster.masterOfSlot(client.getKeys().getSlot(key))).collect(Collectors.toSet());
            assertEquals(Set.copyOf(cluster.masters()), shards, "the keys land on every master");

            cluster.awaitReplicasCaughtUp(); // replication is asynchronous: only what reached the replica survives
            String victim = cluster.masterOfSlot(client.getKeys().getSlot("key-0"));
            long start = System.nanoTime();
            cluster.killMaster(victim);
            String promoted = cluster.awaitFailover(victim);
            System.out.printf("cluster failover of %s to %s took %d ms%n", victim, promoted,
                    Duration.ofNanos(System.nanoTime() - start).toMillis());

            assertEquals(promoted, cluster.masterOfSlot(client.getKeys().getSlot("key-0")));
            assertFalse(cluster.masters().contains(victim));
            assertTrue(cluster.masters().contains(promoted));
            assertEquals(3, cluster.masters().size());
            assertEquals(2, cluster.replicas().size());
            assertEquals(before, read(client, before.keySet()), "every replicated key survives the failover");

            Map<String, String> after = write(client, "after");
            assertEquals(after, read(client, after.keySet()));
        } finally {
            client.shutdown();
        }
    }

    private static RedissonClient connect(RedisClusterFixture cluster) {
        Config config = new Config();
        config.useClusterServers()
                .addNodeAddress(cluster.addresses().toArray(String[]::new))
                .setScanInterval(1000) // notices the new master within a second of the failover
                .setReadMode(ReadMode.MASTER); // a replica may lag: read what was acknowledged
        return Redisson.create(config);
    }
}
