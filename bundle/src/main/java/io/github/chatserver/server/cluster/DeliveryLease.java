package io.github.chatserver.server.cluster;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RedissonClient;

/**
 * Serializes the delivery of one user's stored messages across the cluster: whoever serves them
 * (a session on any node) holds the key {@code chat:{u:<user>}:delivering}, so two sessions of
 * the same user (an old one closing on node A, the new one on node B) are never both served the
 * same message. The key is taken with {@code SET NX PX} and a random token ({@link ExpiringLock}),
 * renewed every third of its expiry while held, and deleted by its holder only. If the holder's
 * node dies, the key expires and the next session may go on.
 *
 * <p>Nothing waits on a thread: {@link #acquire} retries on the scheduler until the lease is free
 * or its patience is spent.
 */
public final class DeliveryLease {
    /** Expiry of a held lease: how long a crashed holder blocks the user's next delivery. Renewed every third of it. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);
    /** How often a waiting {@link #acquire} tries again. */
    static final Duration RETRY_INTERVAL = Duration.ofMillis(50);

    private final RedissonClient redisson;
    private final ScheduledExecutorService scheduler;
    private final Duration ttl;

    public DeliveryLease(RedissonClient redisson, ScheduledExecutorService scheduler, Duration ttl) {
        this.redisson = redisson;
        this.scheduler = scheduler;
        this.ttl = ttl;
    }

    /** Takes the user's lease if nobody holds it; completes with it, or empty if another session holds it. */
    public CompletionStage<Optional<Held>> tryAcquire(String user) {
        return ExpiringLock.tryAcquire(redisson, ClusterKeys.delivering(user), ttl)
                .thenApply(lock -> lock.map(taken -> new Held(user, taken)));
    }

    /**
     * Takes the user's lease, trying again every {@link #RETRY_INTERVAL} while another session
     * holds it, for at most {@code maxWait}; completes with it, or empty if it stayed taken.
     */
    public CompletionStage<Optional<Held>> acquire(String user, Duration maxWait) {
        CompletableFuture<Optional<Held>> result = new CompletableFuture<>();
        attempt(user, System.nanoTime() + maxWait.toNanos(), result);
        return result;
    }

    private void attempt(String user, long deadlineNanos, CompletableFuture<Optional<Held>> result) {
        tryAcquire(user).whenComplete((held, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else if (held.isPresent() || System.nanoTime() - deadlineNanos >= 0) {
                result.complete(held);
            } else {
                scheduler.schedule(() -> attempt(user, deadlineNanos, result), RETRY_INTERVAL.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    /** A held lease: renewed until released; {@link #lost()} completes if it was lost meanwhile. */
    public final class Held implements AutoCloseable {
        private final String user;
        private final ExpiringLock lock;
        private final CompletableFuture<Void> lost = new CompletableFuture<>();
        private final ScheduledFuture<?> renewals;
        /** When the last renewal that succeeded was sent (System.nanoTime). */
        private volatile long renewedAtNanos = System.nanoTime();

        private Held(String user, ExpiringLock lock) {
            this.user = user;
            this.lock = lock;
            long period = ttl.dividedBy(3).toMillis();
            this.renewals = scheduler.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
        }

        public String user() {
            return user;
        }

        /**
         * Completes when the lease was found gone (expired, or held by another session since) or
         * could not be renewed for longer than its expiry: the delivery must stop, another session
         * may be served now.
         */
        public CompletionStage<Void> lost() {
            return lost;
        }

        private void renew() {
            long sentAt = System.nanoTime();
            lock.extend().whenComplete((extended, failure) -> {
                if (failure == null && extended) {
                    renewedAtNanos = sentAt;
                } else if (failure == null || System.nanoTime() - renewedAtNanos >= ttl.toNanos()) {
                    renewals.cancel(false);
                    lost.complete(null);
                }
            });
        }

        /** Stops renewing and deletes the lease if it is still this holder's; completes with whether it was. */
        public CompletionStage<Boolean> release() {
            renewals.cancel(false);
            return lock.release();
        }

        @Override
        public void close() {
            release();
        }
    }
}
