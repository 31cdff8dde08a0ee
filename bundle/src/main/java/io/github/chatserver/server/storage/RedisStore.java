package io.github.chatserver.server.storage;

import io.github.chatserver.server.config.ServerSettings;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connection and the stores built on it. Only strings and protobuf bytes are stored
 * (no Java serialization, so no class-loader trouble in OSGi), and only Redisson's async API is
 * used: no I/O thread ever waits on Redis.
 */
public final class RedisStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    private static final long DRAIN_SECONDS = 5;

    private final RedissonClient redisson;
    private final InFlight inFlight = new InFlight();
    private final PresenceStore presence;
    private final OfflineStore offline;
    private final GroupStore groups;
    private final MembershipCache membership;
    private final UserStore users;

    private RedisStore(RedissonClient redisson, ServerSettings settings) {
        this.redisson = redisson;
        this.presence = new PresenceStore(redisson, settings.nodeId(), inFlight);
        this.offline = new OfflineStore(redisson, inFlight, settings.nodeId());
        this.groups = new GroupStore(redisson, inFlight);
        this.membership = new MembershipCache(redisson, groups, settings.membershipCache());
        this.users = new UserStore(redisson);
    }

    public static RedisStore connect(ServerSettings settings) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setUseThreadClassLoader(false);
        var server = config.useSingleServer()
                .setAddress(settings.redisAddress())
                .setConnectTimeout(5_000)
                .setTimeout(3_000)
                .setRetryAttempts(2);
        if (!settings.redisPassword().isEmpty()) {
            server.setPassword(settings.redisPassword());
        }
        return new RedisStore(Redisson.create(config), settings);
    }

    public PresenceStore presence() {
        return presence;
    }

    public OfflineStore offline() {
        return offline;
    }

    public GroupStore groups() {
        return groups;
    }

    public MembershipCache membership() {
        return membership;
    }

    public UserStore users() {
        return users;
    }

    /** Lets the operations in flight finish (bounded), then disconnects. */
    @Override
    public void close() {
        try {
            if (!inFlight.awaitIdle(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("Redis operations still pending after {} s; disconnecting anyway", DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redisson.shutdown(0, 5, TimeUnit.SECONDS);
    }
}
