package io.github.chatserver.server.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * A lock that is one Redis key with an expiry: taken with {@code SET key token NX PX ttl}, where
 * the token is random and this holder's own, so that only the holder extends or deletes it (a
 * compare-and-... script), and a holder that crashes loses it when it expires. Nothing waits:
 * every operation completes when Redis answered.
 */
public final class ExpiringLock {
    /** KEYS[1] the lock; ARGV[1] the token, ARGV[2] the new expiry in ms. */
    private static final String EXTEND = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """;
    /** KEYS[1] the lock; ARGV[1] the token. */
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    private final RedissonClient redisson;
    private final String key;
    private final Duration ttl;
    private final String token;

    private ExpiringLock(RedissonClient redisson, String key, Duration ttl, String token) {
        this.redisson = redisson;
        this.key = key;
        this.ttl = ttl;
        this.token = token;
    }

    /** Takes the lock if nobody holds it; completes with it, or empty if someone else holds it. */
    public static CompletionStage<Optional<ExpiringLock>> tryAcquire(RedissonClient redisson, String key, Duration ttl) {
        String token = UUID.randomUUID().toString();
        return redisson.<String>getBucket(key, StringCodec.INSTANCE).setIfAbsentAsync(token, ttl)
                .thenApply(taken -> taken ? Optional.of(new ExpiringLock(redisson, key, ttl, token)) : Optional.empty());
    }

    public String key() {
        return key;
    }

    /** Sets the expiry to a full ttl again; completes with false if the lock expired meanwhile (or was taken by another). */
    public CompletionStage<Boolean> extend() {
        return run(EXTEND, String.valueOf(ttl.toMillis()));
    }

    /** Deletes the lock if it is still this holder's; completes with whether it was. */
    public CompletionStage<Boolean> release() {
        return run(RELEASE);
    }

    private CompletionStage<Boolean> run(String script, String... more) {
        Object[] args = new Object[1 + more.length];
        args[0] = token;
        System.arraycopy(more, 0, args, 1, more.length);
        try {
            return redisson.getScript(StringCodec.INSTANCE).<Long>evalAsync(key, RScript.Mode.READ_WRITE, script,
                    RScript.ReturnType.LONG, List.<Object>of(key), args).thenApply(done -> done == 1);
        } catch (RuntimeException e) { // the client is shut down: the lock expires by itself
            return CompletableFuture.failedFuture(e);
        }
    }
}
