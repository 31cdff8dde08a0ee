package io.github.chatserver.server.cluster;

import io.github.chatserver.server.stats.ThrottledLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.ScoredEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which nodes of the cluster are alive, as seen from this node: a node is alive while its lease
 * key exists ({@link NodeLease}), dead once Redis expired it. The nodes to look at are those in
 * {@code chat:nodes}; every {@code nodeLeaseTimeout}/3 the registry reads that list and each node's
 * lease (its remaining time, {@code PTTL}), and it looks again at the moment a lease would expire
 * if not renewed, so a crashed node is seen dead about {@code nodeLeaseTimeout} after its last
 * renewal, not a period later.
 *
 * <p>Answers about liveness ({@link #isDead}, {@link #isAlive}) cost no Redis call. A node the
 * registry has not looked at yet is neither alive nor dead ({@link #check} looks at once).
 *
 * <p>Listeners of {@link #onDeadNode} are told of every node found dead, at each look, until the
 * node is {@link #forget forgotten}: whoever cleans up after the dead node (its inbox, its presence
 * entries) forgets it when done. If that node crashes half-way, another one is told again and
 * retries, so listeners must be idempotent and cheap when there is nothing (left) to do.
 */
public final class NodeRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);
    private static final ThrottledLog FAILURES = new ThrottledLog(LOG, 6);
    /** A look at an expiring lease goes this long after its expiry: Redis's own expiry may lag its clock a little. */
    private static final long EXPIRY_MARGIN_MILLIS = 20;

    /** KEYS[1] chat:nodes; ARGV[1] node id, ARGV[2] the score it had when found dead. Removes it only if not renewed since. */
    private static final String FORGET = """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if score and tonumber(score) == tonumber(ARGV[2]) then
              return redis.call('ZREM', KEYS[1], ARGV[1])
            end
            return 0
            """;

    /** What {@code chat:nodes} shows of one node. */
    public record NodeStatus(String nodeId, boolean alive, String listenAddress, long startedAtMillis, int sessions,
                             long renewedAtMillis) {
    }

    private enum State { ALIVE, DEAD }

    private final RedissonClient redisson;
    private final String selfId;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    /** Each node's score in chat:nodes when last read: {@link #forget} removes it only if unchanged. */
    private final Map<String, Double> scores = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> expiryLooks = new ConcurrentHashMap<>();
    private final List<Consumer<String>> deadListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private ScheduledFuture<?> refreshes;

    /** @param selfId this node, never reported dead here (its own {@link NodeLease} knows) */
    public NodeRegistry(RedissonClient redisson, String selfId, Duration timeout, ScheduledExecutorService scheduler) {
        this.redisson = redisson;
        this.selfId = selfId;
        this.timeout = timeout;
        this.scheduler = scheduler;
    }

    /** Looks now and then every {@code nodeLeaseTimeout}/3; completes when the first look is done. */
    public synchronized CompletionStage<Void> start() {
        CompletionStage<Void> first = refresh();
        long period = NodeLease.renewalPeriod(timeout).toMillis();
        refreshes = scheduler.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
        return first;
    }

    /** Called with the id of every node found dead, at each look until it is forgotten; on the scheduler's thread. */
    public void onDeadNode(Consumer<String> listener) {
        deadListeners.add(listener);
    }

    /** True if the node's lease was found expired at the last look. No Redis call. */
    public boolean isDead(String nodeId) {
        return states.get(nodeId) == State.DEAD;
    }

    /** True if the node's lease was found alive at the last look (this node always). No Redis call. */
    public boolean isAlive(String nodeId) {
        return selfId.equals(nodeId) || states.get(nodeId) == State.ALIVE;
    }

    /** The nodes found alive at the last look, this one included. */
    public Set<String> aliveNodes() {
        Set<String> alive = states.entrySet().stream().filter(e -> e.getValue() == State.ALIVE).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        alive.add(selfId);
        return alive;
    }

    /** Reads the list of nodes and looks at each one's lease. */
    public CompletionStage<Void> refresh() {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        return redisson.<String>getScoredSortedSet(ClusterKeys.NODES, StringCodec.INSTANCE).entryRangeAsync(0, -1)
                .thenCompose(this::lookAtAll)
                .exceptionally(failure -> {
                    FAILURES.warn("Could not read the cluster's nodes from Redis: {}", failure.toString());
                    return null;
                });
    }

    private CompletionStage<Void> lookAtAll(Collection<ScoredEntry<String>> listed) {
        List<CompletableFuture<Boolean>> looks = new ArrayList<>();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        for (ScoredEntry<String> entry : listed) {
            String id = entry.getValue();
            ids.add(id);
            scores.put(id, entry.getScore());
            if (!id.equals(selfId)) {
                looks.add(check(id).toCompletableFuture());
            }
        }
        // A node forgotten by another node stays dead here (its lease is gone): a look at it when
        // it comes back (a presence claim of its, its return to the list) makes it alive again.
        scores.keySet().retainAll(ids);
        return CompletableFuture.allOf(looks.toArray(CompletableFuture[]::new));
    }

    /**
     * Looks at one node's lease now ({@code PTTL}); completes with whether it is alive. A dead node
     * is reported to the listeners; an alive one is looked at again when its lease would expire.
     */
    public CompletionStage<Boolean> check(String nodeId) {
        if (nodeId.equals(selfId)) {
            return CompletableFuture.completedFuture(true);
        }
        return redisson.getBucket(ClusterKeys.lease(nodeId), StringCodec.INSTANCE).remainTimeToLiveAsync()
                .thenApply(ttl -> {
                    boolean alive = ttl != -2; // -2: no such key; -1 (no expiry) never happens, counts as alive
                    State before = states.put(nodeId, alive ? State.ALIVE : State.DEAD);
                    if (alive) {
                        if (before == State.DEAD) {
                            LOG.info("Node '{}' is alive again", nodeId);
                        }
                        lookAgainAt(nodeId, ttl);
                    } else {
                        if (before != State.DEAD) {
                            LOG.warn("Node '{}' is dead: its lease expired", nodeId);
                        }
                        deadListeners.forEach(listener -> scheduler.execute(() -> notify(listener, nodeId)));
                    }
                    return alive;
                })
                .exceptionally(failure -> {
                    FAILURES.warn("Could not look at the lease of node '{}': {}", nodeId, failure.toString());
                    return isAlive(nodeId);
                });
    }

    private void notify(Consumer<String> listener, String nodeId) {
        try {
            listener.accept(nodeId);
        } catch (RuntimeException e) {
            LOG.warn("A listener of the death of node '{}' failed: {}", nodeId, e.toString());
        }
    }

    /** One look at the node when its lease would expire unless renewed meanwhile. */
    private void lookAgainAt(String nodeId, long ttlMillis) {
        if (closed || ttlMillis < 0) {
            return;
        }
        ScheduledFuture<?> look = scheduler.schedule(() -> {
            expiryLooks.remove(nodeId);
            check(nodeId);
        }, ttlMillis + EXPIRY_MARGIN_MILLIS, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = expiryLooks.put(nodeId, look);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    /**
     * Removes a dead node from {@code chat:nodes} and {@code chat:node-info} after its leftovers
     * were handled, unless it renewed its lease since it was found dead (a restart). Completes
     * with whether it was removed.
     */
    public CompletionStage<Boolean> forget(String nodeId) {
        Double score = scores.get(nodeId);
        if (score == null || !isDead(nodeId)) {
            return CompletableFuture.completedFuture(false);
        }
        return redisson.getScript(StringCodec.INSTANCE).<Long>evalAsync(ClusterKeys.NODES, RScript.Mode.READ_WRITE,
                        FORGET, RScript.ReturnType.LONG, List.<Object>of(ClusterKeys.NODES), nodeId, scoreText(score))
                .thenCompose(removed -> {
                    if (removed == 0) {
                        return CompletableFuture.completedFuture(false);
                    }
                    states.remove(nodeId, State.DEAD);
                    scores.remove(nodeId);
                    LOG.info("Node '{}' forgotten: its leftovers were handled", nodeId);
                    return redisson.getMap(ClusterKeys.NODE_INFO, StringCodec.INSTANCE).fastRemoveAsync(nodeId)
                            .thenApply(ignored -> true);
                });
    }

    /** The score as Redis prints it back, so that the script compares equal numbers. */
    private static String scoreText(double score) {
        return score == Math.rint(score) ? Long.toString((long) score) : Double.toString(score);
    }

    /** Every node listed in {@code chat:nodes}, with what it last said of itself (for {@code chat:nodes}). */
    public CompletionStage<List<NodeStatus>> nodes() {
        var listed = redisson.<String>getScoredSortedSet(ClusterKeys.NODES, StringCodec.INSTANCE).entryRangeAsync(0, -1);
        var infos = redisson.<String, String>getMap(ClusterKeys.NODE_INFO, StringCodec.INSTANCE).readAllMapAsync();
        return listed.thenCombine(infos, (entries, info) -> {
            List<NodeStatus> nodes = new ArrayList<>();
            for (ScoredEntry<String> entry : entries) {
                String id = entry.getValue();
                String[] facts = info.getOrDefault(id, "0|0|").split("\\|", 3);
                nodes.add(new NodeStatus(id, isAlive(id), facts.length > 2 ? facts[2] : "", parseLong(facts[0]),
                        (int) parseLong(facts.length > 1 ? facts[1] : "0"), entry.getScore().longValue()));
            }
            nodes.sort(Comparator.comparing(NodeStatus::nodeId));
            return nodes;
        });
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (refreshes != null) {
            refreshes.cancel(false);
        }
        expiryLooks.values().forEach(look -> look.cancel(false));
        expiryLooks.clear();
    }
}
