package io.github.chatserver.server.storage;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.StatusListener;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group members kept in memory, so a group message costs no Redis read (the original read the
 * member list for every message). Redis stays the truth: every change of a group's membership
 * evicts the local entry at once and publishes the group id on a Redisson topic, on which every
 * node (this one included) evicts its own copy. When the topic subscription is (re)established,
 * everything is evicted, since invalidations may have been missed while it was down.
 *
 * <p>A load races an eviction safely: the eviction removes the in-flight future from the map,
 * so the stale result is used only by the reader that started before the change.
 */
public final class MembershipCache {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipCache.class);
    static final String TOPIC = "chat:group:membership-changed";
    /** Bounds memory: beyond this many cached groups, the cache starts over. */
    private static final int MAX_GROUPS = 100_000;

    private final GroupStore groups;
    private final RTopic topic;
    private final boolean enabled;
    private final ConcurrentMap<String, CompletableFuture<Set<String>>> members = new ConcurrentHashMap<>();

    MembershipCache(RedissonClient redisson, GroupStore groups, boolean enabled) {
        this.groups = groups;
        this.enabled = enabled;
        this.topic = redisson.getTopic(TOPIC, StringCodec.INSTANCE);
        if (enabled) {
            topic.addListener(String.class, (channel, groupId) -> members.remove(groupId));
            topic.addListener(new StatusListener() {
                @Override
                public void onSubscribe(String channel) {
                    members.clear();
                }

                @Override
                public void onUnsubscribe(String channel) {
                    members.clear();
                }
            });
        }
    }

    /** The members of a group (an empty set if there is no such group). */
    public CompletionStage<Set<String>> members(String groupId) {
        if (!enabled) {
            return groups.members(groupId);
        }
        CompletableFuture<Set<String>> cached = members.get(groupId);
        if (cached != null) {
            return cached;
        }
        if (members.size() >= MAX_GROUPS) {
            members.clear();
        }
        CompletableFuture<Set<String>> loading = new CompletableFuture<>();
        cached = members.putIfAbsent(groupId, loading);
        if (cached != null) {
            return cached;
        }
        groups.members(groupId).whenComplete((set, failure) -> {
            if (failure != null) {
                members.remove(groupId, loading); // do not cache a failure
                loading.completeExceptionally(failure);
            } else {
                loading.complete(Set.copyOf(set));
            }
        });
        return loading;
    }

    /** Call after a membership change was written to Redis: evicts here at once, and on every node. */
    public CompletionStage<Long> changed(String groupId) {
        members.remove(groupId);
        return topic.publishAsync(groupId).whenComplete((receivers, failure) -> {
            if (failure != null) {
                LOG.warn("Could not announce a membership change of group {}: {}", groupId, failure.toString());
            }
        });
    }
}
