package io.github.chatserver.server.cluster;

/**
 * The Redis keys of the cluster's building blocks. A key has at most one variable part; keys that
 * one script touches together share a hash tag ({@code {...}}), so that each script keeps to one
 * slot on Redis Cluster. A node id is printable ASCII without spaces, {@code /} or {@code |}
 * ({@link io.github.chatserver.server.config.ServerSettings}); a user name is any UTF-8 without
 * control characters.
 */
final class ClusterKeys {
    /** Hash, field node id: {@code startedAtMillis|sessions|listenAddress} (for {@code chat:nodes}). */
    static final String NODE_INFO = "chat:node-info";
    /** Sorted set: node id, scored by its last lease renewal (epoch millis of the renewing node's clock). */
    static final String NODES = "chat:nodes";
    /** Hash: user -> {@code nodeId/sessionId} of the user's session. */
    static final String PRESENCE = "chat:presence";
    /** Topic: every change of {@link #PRESENCE}, published by the script that made it. */
    static final String PRESENCE_CHANGED = "chat:presence-changed";

    private ClusterKeys() {
    }

    /** String with expiry: the node's lease, holding the token of the process that renews it. */
    static String lease(String nodeId) {
        return "chat:node:" + nodeId;
    }

    /** Stream: the node's inbox. The tag keeps its claim lock in the same slot. */
    static String inbox(String nodeId) {
        return "chat:inbox:{" + nodeId + "}";
    }

    /** String with expiry: held by the one node that empties a dead node's inbox (or by the node itself at start). */
    static String inboxClaim(String nodeId) {
        return "chat:inbox:{" + nodeId + "}:claim";
    }

    /** String with expiry: held while one session is served the user's stored messages, anywhere in the cluster. */
    static String delivering(String user) {
        return "chat:{u:" + user + "}:delivering";
    }
}
