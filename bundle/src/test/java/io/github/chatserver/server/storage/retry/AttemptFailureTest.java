package io.github.chatserver.server.storage.retry;

import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How real Redisson failures against a real Redis are read: only Redis's own error reply counts against a write. */
@ExtendWith(RedisExtension.class)
class AttemptFailureTest {
    private static final String ZADD = "return redis.call('ZADD', KEYS[1], 1, 'member')";
    private RedisServer redis;
    private RedissonClient client;

    private RedissonClient connect(RedisServer server) {
        this.redis = server;
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.useSingleServer().setAddress(server.address()).setTimeout(1_000).setConnectTimeout(5_000).setRetryAttempts(0);
        client = Redisson.create(config);
        return client;
    }

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        if (redis != null && !redis.isRunning()) {
            redis.restart();
        } else if (redis != null) {
            redis.resume();
        }
    }

    @Test
    void anErrorReplyToTheCommandIsARefusal(RedisServer server) {
        RedissonClient c = connect(server);
        c.getBucket("chat:test:string").set("not a sorted set");

        Throwable failure = failureOf(c, "chat:test:string");

        assertTrue(AttemptFailure.isRefusal(failure), "WRONGTYPE: " + failure);
    }

    @Test
    void aTimeoutAgainstAHungRedisIsNotARefusal(RedisServer server) {
        RedissonClient c = connect(server);
        c.getBucket("chat:test:warm").set("connected");
        server.pause();

        Throwable failure = failureOf(c, "chat:test:zset");

        assertFalse(AttemptFailure.isRefusal(failure), "timeout: " + failure);
    }

    @Test
    void aConnectionFailureAgainstAStoppedRedisIsNotARefusal(RedisServer server) {
        RedissonClient c = connect(server);
        c.getBucket("chat:test:warm").set("connected");
        server.kill();

        Throwable failure = failureOf(c, "chat:test:zset");

        assertFalse(AttemptFailure.isRefusal(failure), "connection: " + failure);
    }

    /** What the attempt fails with (a bounded wait: Redisson's own timeout must fire well before). */
    private static Throwable failureOf(RedissonClient c, String key) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> c.getScript()
                .evalAsync(RScript.Mode.READ_WRITE, ZADD, RScript.ReturnType.LONG, List.<Object>of(key))
                .toCompletableFuture().get(20, TimeUnit.SECONDS));
        return e.getCause();
    }
}
