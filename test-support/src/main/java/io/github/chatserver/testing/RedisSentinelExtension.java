package io.github.chatserver.testing;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one {@link RedisSentinelFixture} (master, replica, three sentinels) per test class and
 * stops its processes by PID afterwards. Tests get it as a {@link RedisSentinelFixture}
 * parameter. Use with {@code @ExtendWith(RedisSentinelExtension.class)}. A test that kills the
 * master leaves the deployment failed over, without a replica, for the tests after it.
 */
public class RedisSentinelExtension extends PerClassFixtureExtension<RedisSentinelFixture> {
    public RedisSentinelExtension() {
        super(RedisSentinelFixture.class);
    }

    @Override
    RedisSentinelFixture start(ExtensionContext context) {
        return RedisSentinelFixture.start();
    }
}
