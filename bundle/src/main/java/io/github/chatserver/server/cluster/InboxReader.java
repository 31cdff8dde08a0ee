package io.github.chatserver.server.cluster;

import io.github.chatserver.server.stats.ThrottledLog;
import io.github.chatserver.server.storage.InFlight;
import io.github.chatserver.server.storage.RedisPipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RScript;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamCreateGroupArgs;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.api.stream.StreamReadGroupArgs;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer side of this node's inbox stream: reads it with {@code XREADGROUP} (up to
 * {@link #COUNT} entries, blocking up to {@link #BLOCK} when it is empty), hands each record to
 * the handler in stream order, and once every record of an entry was handled (the handler's
 * futures completed: delivered, or stored offline) acknowledges and deletes the entry in one
 * script ({@code XACK} + {@code XDEL}), batched. The stream thus holds only what is not done yet,
 * which is exactly what a survivor must store if this node dies ({@link InboxTakeover}).
 *
 * <p>The blocking read holds one Redis connection while it waits (Redisson takes one from the
 * pool for a blocking command), never a thread; the handler runs on the {@code dispatch}
 * executor, which the owner gives the inbox alone (never a MINA I/O thread).
 *
 * <p><b>Start.</b> The consumer group is created with the stream if missing ({@code MKSTREAM},
 * from id 0 so entries written before are read). A restarted node (the same node id, the same
 * consumer) first reads the entries it had received and not acknowledged before it stopped, then
 * the new ones. It does so holding the inbox's claim lock, so that it never reads them while a
 * survivor is storing them (the survivor deletes the stream when done; the group is then made anew).
 *
 * <p><b>Failures.</b> An entry whose handling failed stays pending and is read again (from id 0)
 * a few seconds later; an acknowledgement that failed is retried on its own (the entry is not
 * handled twice). If the stream disappears (taken over after this node lost its lease), the group
 * is made anew. At most {@link #MAX_UNFINISHED} entries are handled at once: reading pauses
 * beyond that, so a slow handler holds back the reads instead of filling memory.
 */
public final class InboxReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InboxReader.class);
    private static final ThrottledLog FAILURES = new ThrottledLog(LOG, 6);
    /** The one consumer group of every inbox; the consumer is the node id. */
    static final String GROUP = "chat";
    /** Entries per read. */
    static final int COUNT = 256;
    /** Longest wait of one read on an empty inbox (it returns as soon as something arrives). Also bounds a stop. */
    static final Duration BLOCK = Duration.ofSeconds(1);
    /** Entries being handled at most; reading pauses beyond. */
    static final int MAX_UNFINISHED = 4 * COUNT;
    /** A failed read, handling or acknowledgement is tried again after this. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(2);
    /** The claim lock while this node reads its own left-overs at start; polled this often while a survivor holds it. */
    static final Duration CLAIM_TTL = Duration.ofSeconds(30);
    private static final Duration CLAIM_POLL = Duration.ofMillis(250);

    /** KEYS[1] the inbox; ARGV[1] the group, then ids. Acknowledges and deletes them; answers 1 per id acknowledged. */
    private static final String ACK_AND_DELETE = """
            local acked = {}
            for i = 2, #ARGV do
              acked[i - 1] = redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
            end
            redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
            return acked
            """;

    /** Handles one record; the returned stage completes when it is delivered or stored (then it is acknowledged). */
    @FunctionalInterface
    public interface Handler {
        CompletionStage<Void> handle(InboxRecord record);
    }

    private final RedissonClient redisson;
    private final String nodeId;
    private final String inbox;
    private final Handler handler;
    private final Executor dispatch;
    private final RStream<byte[], byte[]> stream;
    private final InFlight inFlight = new InFlight();
    private final RedisPipeline<String, Long> acks;
    /** Entries read and not yet acknowledged: not to be handled again when pending entries are read again. */
    private final Set<StreamMessageId> unfinished = ConcurrentHashMap.newKeySet();
    private final AtomicInteger unfinishedCount = new AtomicInteger();
    private final AtomicLong recordsHandled = new AtomicLong();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean stopping;
    private volatile boolean retryPending;
    /** When failed entries may be read again (System.nanoTime). */
    private volatile long retryAtNanos;
    // Touched only by the read loop (one step at a time, on the dispatch executor).
    private boolean readingPending;
    private StreamMessageId pendingAfter = StreamMessageId.ALL;
    private ExpiringLock claim;
    // Guarded by this.
    private boolean paused;

    public InboxReader(RedissonClient redisson, String nodeId, Handler handler, Executor dispatch) {
        this.redisson = redisson;
        this.nodeId = nodeId;
        this.inbox = ClusterKeys.inbox(nodeId);
        this.handler = handler;
        this.dispatch = dispatch;
        this.stream = redisson.getStream(inbox, ByteArrayCodec.INSTANCE);
        this.acks = RedisPipeline.oneSlot(this::ackAndDelete, inFlight);
    }

    /**
     * Takes the inbox's claim lock (waiting while a survivor empties it), makes the consumer group
     * if needed and starts reading: this node's unacknowledged entries first, then new ones.
     * Completes when reading has started.
     */
    public CompletionStage<Void> start() {
        CompletableFuture<Void> started = new CompletableFuture<>();
        takeClaim(started, false);
        return started;
    }

    private void takeClaim(CompletableFuture<Void> started, boolean waited) {
        if (stopping) {
            started.completeExceptionally(new IllegalStateException("the inbox of node '" + nodeId + "' was closed"));
            finish();
            return;
        }
        ExpiringLock.tryAcquire(redisson, ClusterKeys.inboxClaim(nodeId), CLAIM_TTL).whenCompleteAsync((lock, failure) -> {
            if (failure != null) {
                started.completeExceptionally(failure);
            } else if (lock.isEmpty()) {
                if (!waited) {
                    LOG.info("Inbox of node '{}' is being emptied by another node; waiting until it is done", nodeId);
                }
                CompletableFuture.runAsync(() -> takeClaim(started, true), after(CLAIM_POLL));
            } else {
                claim = lock.get();
                makeGroup().whenCompleteAsync((made, groupFailure) -> {
                    if (groupFailure != null) {
                        claim.release();
                        started.completeExceptionally(groupFailure);
                        return;
                    }
                    readingPending = true;
                    started.complete(null);
                    readNext();
                }, dispatch);
            }
        }, dispatch);
    }

    /** Creates the group (and the stream) unless it exists: from id 0, so entries already there are read. */
    private CompletionStage<Void> makeGroup() {
        return stream.createGroupAsync(StreamCreateGroupArgs.name(GROUP).id(StreamMessageId.ALL).makeStream())
                .exceptionallyCompose(failure -> String.valueOf(failure.getMessage()).contains("BUSYGROUP")
                        ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(failure));
    }

    /** Records handed to the handler and finished so far. */
    public long recordsHandled() {
        return recordsHandled.get();
    }

    /** One step of the read loop. */
    private void readNext() {
        if (stopping) {
            finish();
            return;
        }
        synchronized (this) {
            if (unfinishedCount.get() >= MAX_UNFINISHED) {
                paused = true; // resumed by the entry that brings the count down
                return;
            }
        }
        if (!readingPending && retryPending && System.nanoTime() - retryAtNanos >= 0) {
            retryPending = false;
            readingPending = true;
            pendingAfter = StreamMessageId.ALL;
        }
        StreamReadGroupArgs args = readingPending
                ? StreamReadGroupArgs.greaterThan(pendingAfter).count(COUNT)
                : StreamReadGroupArgs.neverDelivered().count(COUNT).timeout(BLOCK);
        CompletionStage<Map<StreamMessageId, Map<byte[], byte[]>>> read;
        try {
            read = stream.readGroupAsync(GROUP, nodeId, args);
        } catch (RuntimeException e) { // the client is shut down
            read = CompletableFuture.failedFuture(e);
        }
        read.whenCompleteAsync(this::onRead, dispatch);
    }

    private void onRead(Map<StreamMessageId, Map<byte[], byte[]>> entries, Throwable failure) {
        if (failure != null) {
            onReadFailure(failure);
            return;
        }
        if (readingPending && entries.isEmpty()) {
            readingPending = false; // this node's left-overs are all handed over: the new ones now
            releaseClaim();
        } else if (readingPending && claim != null) {
            claim.extend(); // a long backlog of left-overs: keep survivors out until it is read
        }
        for (Map.Entry<StreamMessageId, Map<byte[], byte[]>> entry : entries.entrySet()) {
            if (readingPending) {
                pendingAfter = entry.getKey();
            }
            if (!unfinished.contains(entry.getKey())) {
                handle(entry.getKey(), entry.getValue());
            }
        }
        readNext();
    }

    private void onReadFailure(Throwable failure) {
        if (stopping) {
            finish();
            return;
        }
        if (String.valueOf(failure.getMessage()).contains("NOGROUP")) {
            // The stream was deleted: another node took it over after this one lost its lease.
            LOG.warn("Inbox of node '{}' was taken over by another node (its lease had lapsed); making it anew", nodeId);
            makeGroup().whenCompleteAsync((made, groupFailure) -> readNext(), dispatch);
            return;
        }
        FAILURES.warn("Could not read the inbox of node '{}' ({}); trying again in {} ms", nodeId, failure.toString(),
                RETRY_DELAY.toMillis());
        CompletableFuture.runAsync(this::readNext, after(RETRY_DELAY));
    }

    /** Hands an entry's records to the handler in order; acknowledges the entry when all are done. */
    private void handle(StreamMessageId id, Map<byte[], byte[]> fields) {
        byte[] value = fields == null ? null : fields.entrySet().stream()
                .filter(field -> Arrays.equals(field.getKey(), InboxSender.FIELD)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
        List<InboxRecord> records;
        try {
            records = value == null ? List.of() : InboxRecords.decode(value);
        } catch (IllegalArgumentException e) {
            LOG.error("Inbox of node '{}': entry {} cannot be read ({}); dropped", nodeId, id, e.getMessage());
            records = List.of();
        }
        unfinished.add(id);
        unfinishedCount.incrementAndGet();
        List<CompletableFuture<Void>> done = new ArrayList<>(records.size());
        for (InboxRecord record : records) {
            try {
                done.add(inFlight.track(handler.handle(record)).toCompletableFuture());
            } catch (RuntimeException e) {
                done.add(CompletableFuture.failedFuture(e));
            }
        }
        int count = records.size();
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
            if (failure != null) {
                FAILURES.warn("Inbox of node '{}': entry {} could not be handled ({}); it is read again in {} ms",
                        nodeId, id, failure.toString(), RETRY_DELAY.toMillis());
                retryAtNanos = System.nanoTime() + RETRY_DELAY.toNanos();
                retryPending = true;
                finished(id);
            } else {
                recordsHandled.addAndGet(count);
                acknowledge(id);
            }
        });
    }

    /** Acknowledges (and deletes) an entry; retried on its own if Redis does not answer, so it is not handled again. */
    private void acknowledge(StreamMessageId id) {
        acks.submit(id.toString()).whenComplete((acked, failure) -> {
            if (failure == null || stopping) {
                finished(id);
            } else {
                FAILURES.warn("Inbox of node '{}': entry {} could not be acknowledged ({}); trying again",
                        nodeId, id, failure.toString());
                CompletableFuture.runAsync(() -> acknowledge(id), after(RETRY_DELAY));
            }
        });
    }

    private void finished(StreamMessageId id) {
        unfinished.remove(id);
        unfinishedCount.decrementAndGet();
        boolean resume;
        synchronized (this) {
            resume = paused && unfinishedCount.get() < MAX_UNFINISHED;
            if (resume) {
                paused = false;
            }
        }
        if (resume) {
            dispatch.execute(this::readNext);
        }
    }

    private CompletionStage<List<Long>> ackAndDelete(List<String> ids) {
        List<Object> args = new ArrayList<>(ids.size() + 1);
        args.add(GROUP);
        args.addAll(ids);
        return redisson.getScript(StringCodec.INSTANCE).evalAsync(inbox, RScript.Mode.READ_WRITE, ACK_AND_DELETE,
                RScript.ReturnType.LIST, List.<Object>of(inbox), args.toArray());
    }

    private void releaseClaim() {
        if (claim != null) {
            claim.release();
            claim = null;
        }
    }

    private Executor after(Duration delay) {
        return CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, dispatch);
    }

    private void finish() {
        releaseClaim();
        stopped.complete(null);
    }

    /**
     * Stops reading (within {@link #BLOCK}), lets the handlers and acknowledgements in flight finish
     * (bounded), and returns. What was read and not acknowledged stays pending for the next start.
     */
    @Override
    public void close() {
        stopping = true;
        synchronized (this) {
            if (paused) {
                paused = false;
                dispatch.execute(this::finish);
            }
        }
        try {
            stopped.get(BLOCK.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            if (!inFlight.awaitIdle(5, TimeUnit.SECONDS)) {
                LOG.warn("Inbox of node '{}': handlers still running after 5 s; stopping anyway", nodeId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Inbox of node '{}' did not stop reading in time: {}", nodeId, e.toString());
        }
    }
}
