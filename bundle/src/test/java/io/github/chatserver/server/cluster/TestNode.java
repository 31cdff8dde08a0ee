package io.github.chatserver.server.cluster;

import io.github.chatserver.testing.RedisClusterFixture;
import io.github.chatserver.testing.RedisServer;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/**
 * One "chat node" of a test, in this JVM: a Redisson client and a scheduler of its own, as each
 * server process has. {@link #crash()} stops both at once, without any goodbye to Redis, as
 * SIGKILL would: what the node renewed or acknowledged so far stays, nothing more happens.
 */
final class TestNode implements AutoCloseable {
    final String id;
    final RedissonClient redisson;
    final ScheduledExecutorService scheduler;

    private TestNode(String id, Config config) {
        this.id = id;
        config.setCodec(StringCodec.INSTANCE);
        this.redisson = Redisson.create(config);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "test-node-" + id);
            t.setDaemon(true);
            return t;
        });
    }

    /** A node id no other test uses. */
    static String uniqueId(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static TestNode on(RedisServer redis, String id) {
        Config config = new Config();
        config.useSingleServer().setAddress(redis.address());
        return new TestNode(id, config);
    }

    static TestNode on(RedisClusterFixture cluster, String id) {
        Config config = new Config();
        config.useClusterServers().addNodeAddress(cluster.addresses().toArray(String[]::new)).setReadMode(ReadMode.MASTER);
        return new TestNode(id, config);
    }

    /** Stops the node's threads and connections at once, as a crash would. */
    void crash() {
        scheduler.shutdownNow();
        redisson.shutdown(0, 0, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        if (!redisson.isShutdown()) {
            redisson.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
