package io.github.chatserver.server.cluster;

import io.github.chatserver.server.cluster.InboxReader.Handler;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a surviving node does when the {@link NodeRegistry} reports a dead node: if it wins the
 * dead node's inbox claim, it stores the inbox's records offline in their order and deletes the
 * inbox ({@link InboxTakeover}), then removes the dead node's presence entries (its users were
 * already read as offline) and forgets the node. A node that loses the claim does nothing: the
 * winner is on it, and if the winner fails, the next report starts over.
 */
public final class DeadNodeCleanup implements Consumer<String> {
    private static final Logger LOG = LoggerFactory.getLogger(DeadNodeCleanup.class);

    private final NodeRegistry registry;
    private final NodeInbox inbox;
    private final PresenceCache presence;
    private final Handler storeOffline;
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

    public DeadNodeCleanup(NodeRegistry registry, NodeInbox inbox, PresenceCache presence, Handler storeOffline) {
        this.registry = registry;
        this.inbox = inbox;
        this.presence = presence;
        this.storeOffline = storeOffline;
    }

    /** Listens to the registry's reports. */
    public DeadNodeCleanup register() {
        registry.onDeadNode(this);
        return this;
    }

    @Override
    public void accept(String deadNode) {
        if (inProgress.add(deadNode)) {
            cleanUp(deadNode).whenComplete((cleaned, failure) -> {
                inProgress.remove(deadNode);
                if (failure != null) {
                    LOG.warn("Clean-up after dead node '{}' failed ({}); another try at its next report", deadNode,
                            failure.toString());
                }
            });
        }
    }

    /** Completes with true if this node did the clean-up, false if another node holds the claim. */
    CompletionStage<Boolean> cleanUp(String deadNode) {
        return inbox.takeOver(deadNode, storeOffline).thenCompose(stored -> {
            if (stored < 0) {
                return CompletableFuture.completedFuture(false);
            }
            return presence.releaseAllOf(deadNode)
                    .thenCompose(released -> {
                        if (released > 0) {
                            LOG.info("Dead node '{}': {} presence entr{} removed", deadNode, released,
                                    released == 1 ? "y" : "ies");
                        }
                        return registry.forget(deadNode);
                    })
                    .thenApply(forgotten -> {
                        inbox.sender().forget(deadNode);
                        return true;
                    });
        });
    }
}
