package io.github.chatserver.server.storage;

import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.storage.retry.RetryBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connection and the stores built on it. Only strings and protobuf bytes are stored
 * (no Java serialization, so no class-loader trouble in OSGi), and only Redisson's async API is
 * used: no I/O thread ever waits on Redis.
 *
 * <p><b>When Redis is unreachable</b> every operation fails within a bound instead of hanging,
 * so that a login is refused with a reason in bounded time and the {@link RetryBuffer} can take
 * over the writes that must not be lost:
 * <ul>
 *   <li>Redis down (connection refused): an operation fails at once (a few milliseconds);</li>
 *   <li>Redis host unreachable: after {@link #CONNECT_TIMEOUT_MILLIS};</li>
 *   <li>Redis hung (connected, not answering): after {@link #RESPONSE_TIMEOUT_MILLIS}.</li>
 * </ul>
 * Redisson does not resend a command ({@link #RETRY_ATTEMPTS} = 0): a resend after a response
 * timeout may execute a non-idempotent script twice (a group change, a presence claim), and
 * retrying would multiply the bound above. What must survive an outage is retried by the
 * {@link RetryBuffer}, whose writes are idempotent. Once Redis is back, Redisson reconnects within
 * {@link #MAX_RECONNECTION_DELAY} and the next operation succeeds: no restart of the server.
 */
public final class RedisStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    private static final long DRAIN_SECONDS = 5;
    /** TCP connect to Redis: far beyond a LAN's round trip, short enough for a waiting login. */
    static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    /** Longest wait for Redis's answer to one command (our scripts take well under a millisecond). */
    static final int RESPONSE_TIMEOUT_MILLIS = 2_000;
    /** Redisson resends nothing; see the class comment. */
    static final int RETRY_ATTEMPTS = 0;
    /** Reconnection backoff after Redis went away: from 100 ms, growing with jitter, at most this. */
    static final Duration MAX_RECONNECTION_DELAY = Duration.ofSeconds(2);

    private final RedissonClient redisson;
    private final InFlight inFlight = new InFlight();
    private final RetryBuffer retries;
    private final PresenceStore presence;
    private final OfflineStore offline;
    private final GroupStore groups;
    private final MembershipCache membership;
    private final UserStore users;

    private RedisStore(RedissonClient redisson, ServerSettings settings) {
        this.redisson = redisson;
        this.retries = new RetryBuffer(settings.overload().storageRetryBuffer());
        inFlight.onSuccess(retries::redisAnswered); // e.g. a login's presence claim: Redis is back, drain now
        this.presence = new PresenceStore(redisson, settings.nodeId(), inFlight, retries);
        this.offline = new OfflineStore(redisson, inFlight, settings.nodeId());
        this.groups = new GroupStore(redisson, inFlight);
        this.membership = new MembershipCache(redisson, groups, settings.membershipCache());
        this.users = new UserStore(redisson);
    }

    /** Connects to the deployment of {@code redisAddress} or {@code redisConfig}, with the settings of {@link RedisClientConfig#forServer}. */
    public static RedisStore connect(ServerSettings settings) {
        return new RedisStore(Redisson.create(RedisClientConfig.forServer(settings)), settings);
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

    /** Writes kept in memory and retried while Redis does not take them. */
    public RetryBuffer retries() {
        return retries;
    }

    /**
     * Tries what waits in the retry buffer one last time, lets the operations in flight finish
     * (bounded), reports what Redis did not take, then disconnects.
     */
    @Override
    public void close() {
        retries.flushForStop();
        try {
            if (!inFlight.awaitIdle(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("Redis operations still pending after {} s; disconnecting anyway", DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        retries.reportUnwritten();
        redisson.shutdown(0, 5, TimeUnit.SECONDS);
    }
}
