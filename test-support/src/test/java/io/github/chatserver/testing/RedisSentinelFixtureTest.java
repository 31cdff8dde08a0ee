package io.github.chatserver.testing;

import static io.github.chatserver.testing.NumberedKeys.read;
import static io.github.chatserver.testing.NumberedKeys.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

@ExtendWith(RedisSentinelExtension.class)
class RedisSentinelFixtureTest {

    @Test
    void clientFollowsTheSentinelsToThePromotedReplicaWithTheReplicatedData(RedisSentinelFixture sentinels) {
        assertEquals(3, sentinels.sentinelAddresses().size());
        String master = sentinels.master();

        RedissonClient client = connect(sentinels);
        try {
            Map<String, String> before = write(client, "before");
            assertEquals(before, read(client, before.keySet()));

            sentinels.awaitReplicasCaughtUp(); // replication is asynchronous: only what reached the replica survives
            long start = System.nanoTime();
            assertEquals(master, sentinels.killMaster());
            String promoted = sentinels.awaitFailover();
            System.out.printf("sentinel failover of %s to %s took %d ms%n", master, promoted,
                    Duration.ofNanos(System.nanoTime() - start).toMillis());

            assertNotEquals(master, promoted);
            assertEquals(promoted, sentinels.master());
            assertEquals(before, read(client, before.keySet()), "every replicated key survives the failover");

            Map<String, String> after = write(client, "after");
            assertEquals(after, read(client, after.keySet()));
        } finally {
            client.shutdown();
        }
    }

    private static RedissonClient connect(RedisSentinelFixture sentinels) {
        Config config = new Config();
        config.useSentinelServers()
                .setMasterName(sentinels.masterName())
                .addSentinelAddress(sentinels.sentinelAddresses().toArray(String[]::new))
                .setReadMode(ReadMode.MASTER); // a replica may lag: read what was acknowledged
        return Redisson.create(config);
    }
}
