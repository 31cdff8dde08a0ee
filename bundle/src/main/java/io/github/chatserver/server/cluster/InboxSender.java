package io.github.chatserver.server.cluster;

import io.github.chatserver.server.storage.InFlight;
import io.github.chatserver.server.storage.RedisPipeline;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * The producer side of the node inboxes: {@link #send} puts a record into another node's inbox
 * stream. Records for one node are batched ({@link RedisPipeline#inOrder}): one goes at once when
 * nothing is on its way to that node; the records gathered while an entry is on its way leave
 * together as ONE stream entry when it returns (up to 256). Under load a cross-node message thus
 * costs a fraction of a Redis command, and with one entry in flight per node the records reach
 * each inbox in the order they were sent. Nodes do not wait for each other: each has its own batch.
 *
 * <p>An entry is added only to an inbox that exists ({@code XADD NOMKSTREAM}): a dead node's inbox
 * is deleted once another node has emptied it ({@link InboxTakeover}), and a record sent there
 * afterwards must not sit in a stream nobody reads. Such a send completes with {@code false}; a
 * failed one (Redis unreachable) completes exceptionally. Either way the caller stores the message
 * offline instead.
 */
public final class InboxSender {
    static final byte[] FIELD = "r".getBytes(StandardCharsets.US_ASCII);
    /**
     * KEYS[1] the inbox; ARGV[1] the field, ARGV[2] the records. A script because Redisson 4.7
     * cannot decode the nil answer of XADD NOMKSTREAM (its future never completes).
     */
    private static final String ADD = "return redis.call('XADD', KEYS[1], 'NOMKSTREAM', '*', ARGV[1], ARGV[2])";

    private final RedissonClient redisson;
    private final InFlight inFlight;
    private final Map<String, RedisPipeline<InboxRecord, Boolean>> toNode = new ConcurrentHashMap<>();
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong records = new AtomicLong();

    public InboxSender(RedissonClient redisson, InFlight inFlight) {
        this.redisson = redisson;
        this.inFlight = inFlight;
    }

    /**
     * Puts the record into the node's inbox; completes with true once it is there, false if the
     * node has no inbox (dead and emptied), exceptionally if Redis did not take it.
     */
    public CompletionStage<Boolean> send(String nodeId, InboxRecord record) {
        return toNode.computeIfAbsent(nodeId, id -> RedisPipeline.inOrder(batch -> add(id, batch), inFlight))
                .submit(record);
    }

    /** Drops the batch state of a node that left the cluster. */
    public void forget(String nodeId) {
        toNode.remove(nodeId);
    }

    /** Stream entries written so far (each carries one or more records). */
    public long entriesSent() {
        return entries.get();
    }

    /** Records sent so far. */
    public long recordsSent() {
        return records.get();
    }

    private CompletionStage<List<Boolean>> add(String nodeId, List<InboxRecord> batch) {
        String inbox = ClusterKeys.inbox(nodeId);
        CompletionStage<byte[]> id;
        try {
            id = redisson.getScript(ByteArrayCodec.INSTANCE).evalAsync(inbox, RScript.Mode.READ_WRITE, ADD,
                    RScript.ReturnType.VALUE, List.<Object>of(inbox), FIELD, InboxRecords.encode(batch));
        } catch (RuntimeException e) {
            id = CompletableFuture.failedFuture(e);
        }
        return id.thenApply(added -> {
            if (added != null) {
                entries.incrementAndGet();
                records.addAndGet(batch.size());
            }
            return Collections.nCopies(batch.size(), added != null);
        });
    }
}
