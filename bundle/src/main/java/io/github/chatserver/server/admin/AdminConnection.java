package io.github.chatserver.server.admin;

import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.storage.RedisClientConfig;
import io.github.chatserver.server.storage.UserStore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

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
                redisson = Redisson.create(RedisClientConfig.forConsole(settings));
            } catch (RuntimeException e) {
                throw new IllegalStateException("Redis (" + settings.redisDescription() + ") is unavailable: " + e.getMessage(), e);
            }
        }
        return redisson;
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
