package io.github.chatserver.server.cluster;

import io.github.chatserver.server.stats.ThrottledLog;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's liveness lease: the key {@code chat:node:<nodeId>}, set with an expiry of
 * {@code nodeLeaseTimeout} and renewed every third of it. While the key exists the node is alive
 * for everyone ({@link NodeRegistry}); a node that stops renewing (a crash, SIGKILL, a partition
 * from Redis) is dead for everyone once it expires, at most {@code nodeLeaseTimeout} after its
 * last renewal, whatever the clocks of the machines say (Redis expires the key).
 *
 * <p>Each renewal also records the node in {@code chat:nodes} (its renewal time) and its
 * facts in {@code chat:node-info} (listen address, start time, sessions), for {@code chat:nodes}.
 * These are separate keys (separate slots on Redis Cluster), written after the lease: hints for
 * listing, never the truth about liveness.
 *
 * <p>The lease holds a token of this process. A renewal reads the previous value in the same
 * step: nothing there means the lease had expired (renewals failed for longer than the timeout,
 * so the other nodes may have counted this node dead and taken its inbox and presence); another
 * token means another process renews the same node id (a misconfiguration). Either is reported
 * to the listeners as a loss ({@code false}), followed by {@code true} once this process holds
 * the lease again.
 */
public final class NodeLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLease.class);
    private static final ThrottledLog FAILURES = new ThrottledLog(LOG, 6);

    /** KEYS[1] the lease; ARGV[1] our token, ARGV[2] the expiry in ms. Answers the previous token. */
    private static final String RENEW = """
            local previous = redis.call('GET', KEYS[1])
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return previous
            """;
    /** KEYS[1] the lease; ARGV[1] our token. Deletes it only if it is still ours. */
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    /** What this node tells the others about itself at each renewal. */
    public record Self(String listenAddress, long startedAtMillis, IntSupplier sessions) {
    }

    private final RedissonClient redisson;
    private final String nodeId;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;
    private final Self self;
    private final String token = UUID.randomUUID().toString();
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> firstRenewal = new CompletableFuture<>();

    private volatile boolean acquired;
    private volatile boolean stopped;
    /** When the last successful renewal was sent (System.nanoTime): the lease lasts at most timeout from then. */
    private volatile long renewedAtNanos;
    // Guarded by this.
    private boolean renewing;
    private boolean reportedHeld;
    private ScheduledFuture<?> renewals;

    public NodeLease(RedissonClient redisson, String nodeId, Duration timeout, ScheduledExecutorService scheduler,
                     Self self) {
        this.redisson = redisson;
        this.nodeId = nodeId;
        this.timeout = timeout;
        this.scheduler = scheduler;
        this.self = self;
    }

    /** How often the lease is renewed: a third of its timeout, so that one or two failed renewals do not lose it. */
    public static Duration renewalPeriod(Duration timeout) {
        return timeout.dividedBy(3);
    }

    /** Starts renewing; completes when the lease is held the first time. */
    public synchronized CompletionStage<Void> start() {
        if (renewals == null && !stopped) {
            renewals = scheduler.scheduleAtFixedRate(this::tick, 0, renewalPeriod(timeout).toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return firstRenewal;
    }

    public String nodeId() {
        return nodeId;
    }

    /**
     * Whether this node holds its lease: renewed less than {@code nodeLeaseTimeout} ago (counted
     * from when the renewal was sent, so never longer than Redis keeps the key) and not stopped.
     * False means the other nodes may count this node dead (for a health check).
     */
    public boolean held() {
        return acquired && !stopped && System.nanoTime() - renewedAtNanos < timeout.toNanos();
    }

    /** Called with {@code false} when the lease is lost, {@code true} when it is held (again); on the scheduler's thread. */
    public void onChange(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    private void tick() {
        report(held()); // a lease whose renewals kept failing is lost once its timeout passed
        synchronized (this) {
            if (renewing || stopped) {
                return; // the previous renewal is still on its way: Redis is slow, do not pile up
            }
            renewing = true;
        }
        long sentAt = System.nanoTime();
        long now = System.currentTimeMillis();
        CompletionStage<String> renewal;
        try {
            renewal = redisson.getScript(StringCodec.INSTANCE).evalAsync(lease(), RScript.Mode.READ_WRITE, RENEW,
                    RScript.ReturnType.VALUE, List.<Object>of(lease()), token, String.valueOf(timeout.toMillis()));
        } catch (RuntimeException e) {
            renewal = CompletableFuture.failedFuture(e);
        }
        renewal.whenComplete((previous, failure) -> {
            synchronized (this) {
                renewing = false;
            }
            if (failure != null) {
                FAILURES.warn("Node '{}' could not renew its lease ({}); it counts as dead for the other nodes {} ms after the last renewal",
                        nodeId, failure.toString(), timeout.toMillis());
                return;
            }
            renewed(previous, sentAt);
            record(now);
        });
    }

    private void renewed(String previous, long sentAt) {
        boolean first = !acquired;
        boolean lapsed = previous == null && !first;
        boolean foreign = previous != null && !previous.equals(token);
        if (foreign && first) {
            LOG.warn("Node '{}': a lease of another process was still there (a restart within nodeLeaseTimeout after a crash, "
                    + "or another node configured with the same nodeId: then each will report the other)", nodeId);
        } else if (foreign) {
            LOG.error("Node '{}': another process renews the lease of this node id; give each node its own nodeId", nodeId);
        } else if (lapsed) {
            LOG.warn("Node '{}': its lease had expired before this renewal; the other nodes may have counted it dead", nodeId);
        }
        if ((foreign || lapsed) && !first) {
            report(false);
        }
        renewedAtNanos = sentAt;
        acquired = true;
        report(held());
        firstRenewal.complete(null);
    }

    /** The hints for listing: renewal time in {@code chat:nodes}, facts in {@code chat:node-info}. */
    private void record(long renewedAtMillis) {
        String info = self.startedAtMillis() + "|" + self.sessions().getAsInt() + "|" + self.listenAddress();
        redisson.getScoredSortedSet(ClusterKeys.NODES, StringCodec.INSTANCE).addAsync(renewedAtMillis, nodeId);
        redisson.getMap(ClusterKeys.NODE_INFO, StringCodec.INSTANCE).fastPutAsync(nodeId, info);
    }

    private void report(boolean held) {
        synchronized (this) {
            if (held == reportedHeld) {
                return;
            }
            reportedHeld = held;
        }
        for (Consumer<Boolean> listener : listeners) {
            try {
                listener.accept(held);
            } catch (RuntimeException e) {
                LOG.warn("A listener of node '{}''s lease failed: {}", nodeId, e.toString());
            }
        }
    }

    private String lease() {
        return ClusterKeys.lease(nodeId);
    }

    /**
     * Stops renewing and deletes the lease if it is still this process's: the other nodes see this
     * node dead at their next look, instead of after the timeout. A graceful stop; a crash just
     * stops renewing.
     */
    @Override
    public void close() {
        release().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).exceptionally(failure -> null).join();
    }

    /** {@link #close()} without waiting. */
    public CompletionStage<Void> release() {
        synchronized (this) {
            stopped = true;
            if (renewals != null) {
                renewals.cancel(false);
            }
        }
        report(false);
        if (!acquired) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return redisson.getScript(StringCodec.INSTANCE).<Long>evalAsync(lease(), RScript.Mode.READ_WRITE, RELEASE,
                    RScript.ReturnType.LONG, List.<Object>of(lease()), token).thenApply(deleted -> null);
        } catch (RuntimeException e) { // the client is already shut down: the lease expires by itself
            return CompletableFuture.failedFuture(e);
        }
    }
}
