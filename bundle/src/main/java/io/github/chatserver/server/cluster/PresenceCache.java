package io.github.chatserver.server.cluster;

import io.github.chatserver.server.stats.ThrottledLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.AsyncIterator;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.StatusListener;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every node's full copy of {@code chat:presence} (user -> {@code nodeId/sessionId}), so that
 * finding where a user is connected costs no Redis call ({@link #locate}): the delivery path
 * reads only this.
 *
 * <p><b>Kept current by events.</b> Every presence write goes through a script that changes the
 * hash and publishes the change on {@code chat:presence-changed} in the same step, so the events
 * come in the order of the writes (one key, one Redis master, one sequence). Every node applies
 * them; a node also applies its own writes at once, and the event that follows confirms them.
 *
 * <p><b>Loaded without missing a change.</b> At start, and whenever the subscription to the topic
 * is (re)established (events may have been missed while it was down), the hash is read again in
 * pages ({@code HSCAN}). Events arriving meanwhile are kept and applied over the pages once they are
 * all read: a user with an event during the load gets the state of the last event, which is newer
 * than anything the scan saw; any other user did not change, so the scan's value is current.
 *
 * <p><b>Dead nodes.</b> An entry of a node the {@link NodeRegistry} found dead counts as offline.
 * A node the registry does not know yet is looked at once, and counts as online meanwhile.
 */
public final class PresenceCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceCache.class);
    private static final ThrottledLog FAILURES = new ThrottledLog(LOG, 6);
    /** Entries per HSCAN round trip while loading. */
    static final int PAGE = 1000;
    /** Entries per compare-and-delete script when releasing a dead node's users: keeps each script short. */
    private static final int RELEASE_BATCH = 256;
    private static final char CLAIMED = 'C';
    private static final char RELEASED = 'R';

    /** KEYS[1] presence; ARGV[1] user, ARGV[2] marker, ARGV[3] channel. Answers the previous marker. */
    private static final String CLAIM = """
            local previous = redis.call('HGET', KEYS[1], ARGV[1])
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('PUBLISH', ARGV[3], 'C' .. ARGV[2] .. '\\n' .. ARGV[1])
            return previous
            """;
    /**
     * KEYS[1] presence; ARGV[1] channel, then pairs user, marker. Removes each user whose entry is
     * still that marker (a newer login keeps its own). Answers how many were removed.
     */
    private static final String RELEASE = """
            local removed = 0
            for i = 2, #ARGV, 2 do
              if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
                redis.call('HDEL', KEYS[1], ARGV[i])
                redis.call('PUBLISH', ARGV[1], 'R' .. ARGV[i + 1] .. '\\n' .. ARGV[i])
                removed = removed + 1
              end
            end
            return removed
            """;

    private final RedissonClient redisson;
    private final NodeRegistry registry;
    private final RTopic topic;
    private final Object lock = new Object();
    private final Set<String> lookedUp = ConcurrentHashMap.newKeySet();
    private final AtomicLong loads = new AtomicLong();
    private volatile ConcurrentHashMap<String, String> entries = new ConcurrentHashMap<>();
    private volatile boolean closed;
    // Guarded by lock.
    private long generation;
    private List<String> eventsDuringLoad;
    private final List<Integer> listenerIds = new ArrayList<>();

    public PresenceCache(RedissonClient redisson, NodeRegistry registry) {
        this.redisson = redisson;
        this.registry = registry;
        this.topic = redisson.getTopic(ClusterKeys.PRESENCE_CHANGED, StringCodec.INSTANCE);
    }

    /** Subscribes to the changes, then loads the hash; completes when the copy is complete. */
    public CompletionStage<Void> start() {
        CompletionStage<Integer> events = topic.addListenerAsync(String.class, (channel, event) -> onEvent(event));
        CompletionStage<Integer> status = topic.addListenerAsync(new StatusListener() {
            @Override
            public void onSubscribe(String channel) {
                LOG.info("Subscribed to {}: reading the presence of every user again", channel);
                load(); // events may have been missed while the subscription was down
            }

            @Override
            public void onUnsubscribe(String channel) {
                // Nothing: the copy stays as it was until the subscription is back and reloads.
            }
        });
        return events.thenCombine(status, (e, s) -> {
            synchronized (lock) {
                listenerIds.add(e);
                listenerIds.add(s);
            }
            return null;
        }).thenCompose(subscribed -> load());
    }

    /**
     * Where the user is connected ({@code nodeId/sessionId}), or {@code null} if nowhere (or on a
     * node found dead). No Redis call.
     */
    public String locate(String user) {
        String marker = entries.get(user);
        if (marker == null) {
            return null;
        }
        String nodeId = nodeOf(marker);
        if (registry.isDead(nodeId)) {
            return null;
        }
        if (!registry.isAlive(nodeId) && lookedUp.add(nodeId)) {
            registry.check(nodeId).whenComplete((alive, failure) -> lookedUp.remove(nodeId));
        }
        return marker;
    }

    /** How many users the copy holds (dead nodes' included). */
    public int size() {
        return entries.size();
    }

    /** How many times the hash was read whole: at start and at each resubscription. */
    public long loads() {
        return loads.get();
    }

    /** The node part of a marker {@code nodeId/sessionId}. */
    public static String nodeOf(String marker) {
        int slash = marker.lastIndexOf('/');
        return slash < 0 ? marker : marker.substring(0, slash);
    }

    /**
     * Records the user as connected at {@code marker} ({@code nodeId/sessionId}); completes with
     * the previous marker, or {@code null}. Every node learns of it from the event.
     */
    public CompletionStage<String> claim(String user, String marker) {
        entries.put(user, marker);
        CompletionStage<String> claim = redisson.getScript(StringCodec.INSTANCE).evalAsync(ClusterKeys.PRESENCE,
                RScript.Mode.READ_WRITE, CLAIM, RScript.ReturnType.VALUE, List.<Object>of(ClusterKeys.PRESENCE), user,
                marker, ClusterKeys.PRESENCE_CHANGED);
        claim.whenComplete((previous, failure) -> {
            if (failure != null) {
                entries.remove(user, marker); // not in Redis: not online here for anyone
            }
        });
        return claim;
    }

    /** Removes the user's presence if it is still {@code marker} (a newer login elsewhere keeps its own). */
    public CompletionStage<Boolean> release(String user, String marker) {
        entries.remove(user, marker);
        return releaseAll(List.of(user), List.of(marker)).thenApply(removed -> removed == 1);
    }

    /**
     * Removes every entry of a node (a dead one, or this node's own from before a restart) that is
     * still that node's in Redis; completes with how many were removed. Cheap when there are none:
     * the candidates come from the local copy.
     */
    public CompletionStage<Integer> releaseAllOf(String nodeId) {
        List<String> users = new ArrayList<>();
        List<String> markers = new ArrayList<>();
        entries.forEach((user, marker) -> {
            if (nodeOf(marker).equals(nodeId)) {
                users.add(user);
                markers.add(marker);
            }
        });
        List<CompletableFuture<Integer>> batches = new ArrayList<>();
        for (int from = 0; from < users.size(); from += RELEASE_BATCH) {
            int to = Math.min(users.size(), from + RELEASE_BATCH);
            batches.add(releaseAll(users.subList(from, to), markers.subList(from, to)).toCompletableFuture());
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
                .thenApply(done -> batches.stream().mapToInt(CompletableFuture::join).sum());
    }

    private CompletionStage<Integer> releaseAll(List<String> users, List<String> markers) {
        List<Object> args = new ArrayList<>(users.size() * 2 + 1);
        args.add(ClusterKeys.PRESENCE_CHANGED);
        for (int i = 0; i < users.size(); i++) {
            args.add(users.get(i));
            args.add(markers.get(i));
        }
        return redisson.getScript(StringCodec.INSTANCE).<Long>evalAsync(ClusterKeys.PRESENCE, RScript.Mode.READ_WRITE,
                RELEASE, RScript.ReturnType.LONG, List.<Object>of(ClusterKeys.PRESENCE), args.toArray())
                .thenApply(Long::intValue);
    }

    private void onEvent(String event) {
        synchronized (lock) {
            if (eventsDuringLoad != null) {
                eventsDuringLoad.add(event);
            }
            apply(entries, event);
        }
    }

    /** Applies one event {@code C<marker>\n<user>} or {@code R<marker>\n<user>} to a copy. */
    private static void apply(Map<String, String> copy, String event) {
        int newline = event.indexOf('\n');
        if (event.isEmpty() || newline < 1) {
            FAILURES.warn("Ignored a malformed presence event: {}", event);
            return;
        }
        String marker = event.substring(1, newline);
        String user = event.substring(newline + 1);
        if (event.charAt(0) == CLAIMED) {
            copy.put(user, marker);
        } else if (event.charAt(0) == RELEASED) {
            copy.remove(user, marker);
        }
    }

    /** Reads the whole hash in pages; events arriving meanwhile are applied over it at the end. */
    private CompletionStage<Void> load() {
        long loadGeneration;
        synchronized (lock) {
            loadGeneration = ++generation;
            eventsDuringLoad = new ArrayList<>();
        }
        Map<String, String> scanned = new HashMap<>();
        CompletableFuture<Void> read = new CompletableFuture<>();
        AsyncIterator<Map.Entry<String, String>> pages =
                redisson.<String, String>getMap(ClusterKeys.PRESENCE, StringCodec.INSTANCE).entrySetAsync(PAGE);
        drain(pages, scanned, read);
        return read.thenRun(() -> {
            synchronized (lock) {
                if (loadGeneration != generation) {
                    return; // a newer load (another resubscription) started meanwhile: it decides
                }
                ConcurrentHashMap<String, String> loaded = new ConcurrentHashMap<>(scanned);
                eventsDuringLoad.forEach(event -> apply(loaded, event));
                eventsDuringLoad = null;
                entries = loaded;
            }
            loads.incrementAndGet();
        }).exceptionally(failure -> {
            FAILURES.warn("Could not read the presence of every user ({}); the copy may be stale until the next resubscription",
                    failure.toString());
            synchronized (lock) {
                if (loadGeneration == generation) {
                    eventsDuringLoad = null;
                }
            }
            throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
        });
    }

    /**
     * Moves every entry of the iterator into {@code into}, then completes {@code done}: a plain loop
     * while the answers are at hand (a page already read), a callback where one must be fetched
     * (so no thread waits, and no stack grows with the size of the hash).
     */
    private void drain(AsyncIterator<Map.Entry<String, String>> pages, Map<String, String> into,
                       CompletableFuture<Void> done) {
        while (true) {
            if (closed) {
                done.completeExceptionally(new IllegalStateException("the presence cache was closed"));
                return;
            }
            CompletableFuture<Boolean> hasNext = pages.hasNext().toCompletableFuture();
            if (!hasNext.isDone()) {
                hasNext.whenComplete((more, failure) -> {
                    if (failure != null) {
                        done.completeExceptionally(failure);
                    } else if (take(pages, into, done, more)) {
                        drain(pages, into, done);
                    }
                });
                return;
            }
            Boolean more;
            try {
                more = hasNext.join();
            } catch (RuntimeException e) {
                done.completeExceptionally(e.getCause() != null ? e.getCause() : e);
                return;
            }
            if (!take(pages, into, done, more)) {
                return;
            }
        }
    }

    /** After {@code hasNext} answered: takes the next entry; true if it was at hand and the loop may go on. */
    private boolean take(AsyncIterator<Map.Entry<String, String>> pages, Map<String, String> into,
                         CompletableFuture<Void> done, boolean more) {
        if (!more) {
            done.complete(null);
            return false;
        }
        CompletableFuture<Map.Entry<String, String>> next = pages.next().toCompletableFuture();
        if (!next.isDone()) {
            next.whenComplete((entry, failure) -> {
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else {
                    into.put(entry.getKey(), entry.getValue());
                    drain(pages, into, done);
                }
            });
            return false;
        }
        try {
            Map.Entry<String, String> entry = next.join();
            into.put(entry.getKey(), entry.getValue());
            return true;
        } catch (RuntimeException e) {
            done.completeExceptionally(e.getCause() != null ? e.getCause() : e);
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        List<Integer> ids;
        synchronized (lock) {
            ids = new ArrayList<>(listenerIds);
            listenerIds.clear();
        }
        if (!ids.isEmpty()) {
            topic.removeListenerAsync(ids.toArray(Integer[]::new));
        }
    }
}
