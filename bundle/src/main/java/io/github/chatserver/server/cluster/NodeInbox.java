package io.github.chatserver.server.cluster;

import io.github.chatserver.server.cluster.InboxReader.Handler;
import io.github.chatserver.server.storage.InFlight;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in the cross-node traffic: its own inbox, a Redis Stream
 * {@code chat:inbox:{<nodeId>}} read through one consumer group ({@link InboxReader}); sending
 * to the other nodes' inboxes, batched per node ({@link InboxSender}); and emptying a dead node's
 * inbox into offline storage ({@link InboxTakeover}).
 *
 * <p>Why a stream: an entry stays in it, pending, from when the target node reads it until that
 * node acknowledges it, so neither a crash of the target nor a failed delivery loses it; another
 * node can read what a dead node left; one {@code XADD} carries a batch of records; one
 * {@code XREADGROUP} reads many entries and blocks while there is nothing. Pub/sub would lose what
 * is published while a node is away; a list per node would lose what a crashed node had popped.
 */
public final class NodeInbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeInbox.class);

    private final RedissonClient redisson;
    private final String nodeId;
    private final InFlight sends = new InFlight();
    private final InboxSender sender;
    private final InboxReader reader;
    private final InboxTakeover takeover;

    /**
     * @param dispatch the inbox's own thread (never a MINA I/O thread): {@code deliver} is called on it, in stream order
     * @param deliver  hands one record to its recipients here (or stores it when they are gone)
     */
    public NodeInbox(RedissonClient redisson, String nodeId, Executor dispatch, Handler deliver) {
        this.redisson = redisson;
        this.nodeId = nodeId;
        this.sender = new InboxSender(redisson, sends);
        this.reader = new InboxReader(redisson, nodeId, deliver, dispatch);
        this.takeover = new InboxTakeover(redisson);
    }

    /** Starts reading this node's inbox (its left-overs from before a restart first). */
    public CompletionStage<Void> start() {
        return reader.start();
    }

    /** See {@link InboxSender#send}: true once in the node's inbox, false if it has none; on failure, store instead. */
    public CompletionStage<Boolean> send(String targetNode, InboxRecord record) {
        return sender.send(targetNode, record);
    }

    /** See {@link InboxTakeover#takeOver}. */
    public CompletionStage<Integer> takeOver(String deadNode, Handler store) {
        return takeover.takeOver(deadNode, store);
    }

    /** Entries in this node's inbox not yet acknowledged (for {@code chat:nodes} and JMX). */
    public CompletionStage<Long> backlog() {
        return redisson.getStream(ClusterKeys.inbox(nodeId), ByteArrayCodec.INSTANCE).sizeAsync();
    }

    public InboxSender sender() {
        return sender;
    }

    public InboxReader reader() {
        return reader;
    }

    /** Stops reading (what was read and not acknowledged stays for the next start) and lets sends in flight finish. */
    @Override
    public void close() {
        reader.close();
        try {
            if (!sends.awaitIdle(5, TimeUnit.SECONDS)) {
                LOG.warn("Node '{}': inbox records still being sent after 5 s; stopping anyway", nodeId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
