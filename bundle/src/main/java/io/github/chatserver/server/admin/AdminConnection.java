package io.github.chatserver.server.admin;

import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.storage.UserStore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * The console's own small Redis connection, opened on the first command that needs it and closed
 * with the component: console commands are rare, and must not take connections or threads from
 * the chat traffic's pool.
 */
final class AdminConnection implements Supplier<UserStore>, AutoCloseable {
    private final ServerSettings settings;
    private RedissonClient redisson;
    private UserStore users;
    private boolean closed;

    AdminConnection(ServerSettings settings) {
        this.settings = settings;
    }

    @Override
    public synchronized UserStore get() {
        if (users == null) {
            users = new UserStore(redisson());
        }
        return users;
    }

    /** The console's Redis client, connected on first use. */
    synchronized RedissonClient redisson() {
        if (closed) {
            throw new IllegalStateException("The chat server is stopping");
        }
        if (redisson == null) {
            try {
                redisson = Redisson.create(config());
            } catch (RuntimeException e) {
                throw new IllegalStateException("Redis at " + settings.redisAddress() + " is unavailable: " + e.getMessage(), e);
            }
        }
        return redisson;
    }

    private Config config() {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setUseThreadClassLoader(false);
        config.setThreads(1);
        config.setNettyThreads(2);
        var server = config.useSingleServer()
                .setAddress(settings.redisAddress())
                .setConnectTimeout(5_000)
                .setTimeout(3_000)
                .setRetryAttempts(2)
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(2)
                .setSubscriptionConnectionMinimumIdleSize(0)
                .setSubscriptionConnectionPoolSize(1);
        if (!settings.redisPassword().isEmpty()) {
            server.setPassword(settings.redisPassword());
        }
        return config;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (redisson != null) {
            redisson.shutdown(0, 5, TimeUnit.SECONDS);
            redisson = null;
            users = null;
        }
    }
}
