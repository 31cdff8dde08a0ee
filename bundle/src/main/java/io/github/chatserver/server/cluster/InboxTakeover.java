package io.github.chatserver.server.cluster;

import io.github.chatserver.server.cluster.InboxReader.Handler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties the inbox of a dead node into offline storage. One node does it: the one that takes the
 * inbox's claim lock ({@code SET NX PX}, extended after each page); the others find it taken and
 * leave it. The dead node's stream holds exactly what it had not finished (an entry is deleted
 * when it is acknowledged, {@link InboxReader}): the entries it had read and not acknowledged
 * (pending) and those it never read, both in the order they were sent. So the stream is read from
 * its start in pages ({@code XRANGE}), each record handed to the "store offline" handler in that
 * order, and the next page is read when the page's stores completed.
 *
 * <p>Then the stream is deleted, but only if nothing was added since the last page (a sender may
 * not have noticed the death yet): a script compares the newest entry's id with the last one
 * handled, and otherwise the next page is read. Once the stream is gone, a late sender's
 * {@code XADD NOMKSTREAM} finds no inbox and stores the message itself ({@link InboxSender}).
 *
 * <p>Why not {@code XAUTOCLAIM}: it moves pending entries to another consumer, one batch at a
 * time, and the never-read entries need a second pass; reading the stream as it is gives both in
 * their order in one pass, and the claim lock (not consumer ownership) keeps two survivors apart.
 * If the survivor crashes half-way, its lock expires and another survivor, told again of the dead
 * node ({@link NodeRegistry}), starts over: records already stored are stored again, which the
 * offline store must take as a no-op (its writes are idempotent).
 */
public final class InboxTakeover {
    private static final Logger LOG = LoggerFactory.getLogger(InboxTakeover.class);
    /** Entries per XRANGE page. */
    static final int PAGE = 256;
    /** The claim lock's expiry, extended after every page: long enough for one page's stores. */
    static final Duration CLAIM_TTL = InboxReader.CLAIM_TTL;

    /** KEYS[1] the inbox; ARGV[1] the id of the last entry handled ('' if none). Deletes the stream if nothing is newer. */
    private static final String DELETE_IF_DRAINED = """
            local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
            if #newest == 0 or newest[1][1] == ARGV[1] then
              redis.call('DEL', KEYS[1])
              return 1
            end
            return 0
            """;

    private final RedissonClient redisson;

    public InboxTakeover(RedissonClient redisson) {
        this.redisson = redisson;
    }

    /**
     * Empties the node's inbox into {@code store} and deletes it. Completes with the number of
     * records stored, or -1 if another node holds the claim (it is on it, or the node itself is
     * reading its own left-overs at a restart). Fails, leaving the rest in the stream, if a store
     * or Redis fails.
     */
    public CompletionStage<Integer> takeOver(String nodeId, Handler store) {
        return ExpiringLock.tryAcquire(redisson, ClusterKeys.inboxClaim(nodeId), CLAIM_TTL).thenCompose(lock -> {
            if (lock.isEmpty()) {
                return CompletableFuture.completedFuture(-1);
            }
            RStream<byte[], byte[]> stream = redisson.getStream(ClusterKeys.inbox(nodeId), ByteArrayCodec.INSTANCE);
            Drain drain = new Drain(nodeId, stream, store, lock.get());
            return drain.nextPage(StreamMessageId.MIN).whenComplete((stored, failure) -> {
                lock.get().release();
                if (failure != null) {
                    LOG.warn("Could not empty the inbox of dead node '{}' ({}); another try at its next report",
                            nodeId, failure.toString());
                } else if (stored > 0) {
                    LOG.info("Inbox of dead node '{}': {} record(s) stored offline", nodeId, stored);
                }
            });
        });
    }

    /** One takeover in progress. */
    private final class Drain {
        private final String nodeId;
        private final RStream<byte[], byte[]> stream;
        private final Handler store;
        private final ExpiringLock claim;
        private String lastId = "";
        private int stored;

        Drain(String nodeId, RStream<byte[], byte[]> stream, Handler store, ExpiringLock claim) {
            this.nodeId = nodeId;
            this.stream = stream;
            this.store = store;
            this.claim = claim;
        }

        /** Reads the page from {@code from} (inclusive), stores it in order, then the next; deletes the stream at the end. */
        CompletionStage<Integer> nextPage(StreamMessageId from) {
            return stream.rangeAsync(PAGE, from, StreamMessageId.MAX).thenCompose(page -> {
                if (page.isEmpty()) {
                    return deleteIfDrained();
                }
                List<CompletableFuture<Void>> stores = new ArrayList<>();
                StreamMessageId last = null;
                for (Map.Entry<StreamMessageId, Map<byte[], byte[]>> entry : page.entrySet()) {
                    last = entry.getKey();
                    for (InboxRecord record : records(entry.getKey(), entry.getValue())) {
                        try {
                            stores.add(store.handle(record).toCompletableFuture());
                        } catch (RuntimeException e) {
                            stores.add(CompletableFuture.failedFuture(e));
                        }
                        stored++;
                    }
                }
                lastId = last.toString();
                StreamMessageId next = new StreamMessageId(last.getId0(), last.getId1() + 1);
                return CompletableFuture.allOf(stores.toArray(CompletableFuture[]::new))
                        .thenCompose(done -> claim.extend())
                        .thenCompose(held -> held ? nextPage(next)
                                : CompletableFuture.failedFuture(new IllegalStateException("the claim lock expired")));
            });
        }

        private CompletionStage<Integer> deleteIfDrained() {
            String inbox = ClusterKeys.inbox(nodeId);
            return redisson.getScript(StringCodec.INSTANCE).<Long>evalAsync(inbox, RScript.Mode.READ_WRITE,
                            DELETE_IF_DRAINED, RScript.ReturnType.LONG, List.<Object>of(inbox), lastId)
                    .thenCompose(deleted -> deleted == 1 ? CompletableFuture.completedFuture(stored)
                            : nextPage(lastId.isEmpty() ? StreamMessageId.MIN : after(lastId)));
        }

        private List<InboxRecord> records(StreamMessageId id, Map<byte[], byte[]> fields) {
            for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
                if (Arrays.equals(field.getKey(), InboxSender.FIELD)) {
                    try {
                        return InboxRecords.decode(field.getValue());
                    } catch (IllegalArgumentException e) {
                        LOG.error("Inbox of dead node '{}': entry {} cannot be read ({}); dropped", nodeId, id,
                                e.getMessage());
                    }
                }
            }
            return List.of();
        }
    }

    private static StreamMessageId after(String id) {
        String[] parts = id.split("-");
        return new StreamMessageId(Long.parseLong(parts[0]), Long.parseLong(parts[1]) + 1);
    }
}
