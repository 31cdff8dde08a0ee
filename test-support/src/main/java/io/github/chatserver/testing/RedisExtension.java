package io.github.chatserver.testing;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one private redis-server per test class and stops it by PID afterwards. Tests get it
 * as a {@link RedisServer} parameter. Use with {@code @ExtendWith(RedisExtension.class)}; add
 * {@link PersistentRedis @PersistentRedis} for a server whose data survives a restart.
 */
public class RedisExtension extends PerClassFixtureExtension<RedisServer> {
    public RedisExtension() {
        super(RedisServer.class);
    }

    @Override
    RedisServer start(ExtensionContext context) {
        return context.getRequiredTestClass().isAnnotationPresent(PersistentRedis.class)
                ? RedisServer.startPersistent() : RedisServer.start();
    }
}
