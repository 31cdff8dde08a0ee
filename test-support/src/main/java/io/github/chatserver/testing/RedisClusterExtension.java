package io.github.chatserver.testing;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one {@link RedisClusterFixture} (three masters, a replica each) per test class and
 * stops its processes by PID afterwards. Tests get it as a {@link RedisClusterFixture} parameter.
 * Use with {@code @ExtendWith(RedisClusterExtension.class)}. A test that kills a master leaves
 * the cluster failed over for the tests after it in the class.
 */
public class RedisClusterExtension extends PerClassFixtureExtension<RedisClusterFixture> {
    public RedisClusterExtension() {
        super(RedisClusterFixture.class);
    }

    @Override
    RedisClusterFixture start(ExtensionContext context) {
        return RedisClusterFixture.start();
    }
}
