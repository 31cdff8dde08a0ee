package io.github.chatserver.server.storage;

import io.github.chatserver.server.storage.retry.RetryBuffer;
import io.github.chatserver.server.storage.retry.Write;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Who is online where, in Redis: user -> "nodeId/sessionId". Kept from day one so that a second
 * node can find (and kick) a user's session on another node.
 */
public final class PresenceStore {
    static final String KEY = "chat:presence";

    private final RMap<String, String> presence;
    private final String nodeId;
    private final InFlight inFlight;
    private final RetryBuffer retries;

    PresenceStore(RedissonClient redisson, String nodeId, InFlight inFlight, RetryBuffer retries) {
        this.presence = redisson.getMap(KEY, StringCodec.INSTANCE);
        this.nodeId = nodeId;
        this.inFlight = inFlight;
        this.retries = retries;
    }

    /** The marker this node writes for one of its sessions. */
    public String markerFor(long sessionId) {
        return nodeId + "/" + sessionId;
    }

    /** Records the user as online here; completes with the previous marker or {@code null}. */
    public CompletionStage<String> claim(String user, String marker) {
        return inFlight.track(presence.putAsync(user, marker));
    }

    /**
     * Removes the user's presence only if it is still ours (a newer login elsewhere keeps its own).
     * If Redis does not take it, the release is retried until it does ({@link RetryBuffer}): a
     * session that ends during an outage leaves no stale presence behind. The compare-and-remove
     * is idempotent and never removes a newer login's presence.
     */
    public CompletionStage<Boolean> release(String user, String marker) {
        CompletionStage<Boolean> release = inFlight.track(presence.removeAsync(user, marker));
        release.whenComplete((removed, failure) -> {
            if (failure != null) {
                retries.enqueue(Write.control(List.of(), () -> inFlight.track(presence.removeAsync(user, marker))));
            }
        });
        return release;
    }
}
