package io.github.chatserver.server.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.BaseRedisNodes;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.Config;

/**
 * Read-only looks at what the server keeps in Redis, for the console: blocking (at most a few
 * seconds each), so never for the server's own threads. Reads only: nothing here changes a group,
 * a queue or a user.
 */
public final class ConsoleQueries {
    private static final long WAIT_SECONDS = 5;
    /** SCAN page size: how many keys Redis looks at per round trip while filtering by pattern. */
    private static final int SCAN_PAGE = 200;

    private final RedissonClient redisson;
    private final GroupStore groups;

    public ConsoleQueries(RedissonClient redisson) {
        this.redisson = redisson;
        this.groups = new GroupStore(redisson, new InFlight());
    }

    /**
     * How long a PING of every Redis node took (each master and replica of a Sentinel or Cluster
     * deployment), or throws {@link IllegalStateException} when one did not answer within {@code timeout}.
     */
    public Duration ping(Duration timeout) {
        long start = System.nanoTime();
        boolean answered = nodes().pingAll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (!answered) {
            throw new IllegalStateException("no answer to PING within " + timeout.toMillis() + " ms");
        }
        return took;
    }

    /** The Redis nodes of the deployment, as Redisson knows them for its mode. */
    private BaseRedisNodes nodes() {
        Config config = redisson.getConfig();
        if (config.isClusterConfig()) {
            return redisson.getRedisNodes(RedisNodes.CLUSTER);
        }
        if (config.isSentinelConfig()) {
            return redisson.getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE);
        }
        return config.isSingleConfig() ? redisson.getRedisNodes(RedisNodes.SINGLE)
                : redisson.getRedisNodes(RedisNodes.MASTER_SLAVE); // replicated, master/slave
    }

    /** The group with its members, or {@code null}. */
    public GroupRecord group(String id) {
        return await(groups.find(id));
    }

    /** The groups of a user, with their members. */
    public List<GroupRecord> groupsOf(String user) {
        return await(groups.groupsOf(user));
    }

    /**
     * Up to {@code max} group ids starting with {@code prefix}, by a SCAN over {@code chat:group:{*}}:
     * bounded, in no particular order, and on a large database it looks at many keys to find few.
     */
    public List<String> groupIds(String prefix, int max) {
        String pattern = "chat:group:{" + UserStore.globEscape(prefix == null ? "" : prefix) + "*}";
        List<String> ids = new ArrayList<>();
        for (String key : redisson.getKeys().getKeysByPattern(pattern, SCAN_PAGE)) {
            String id = key.substring("chat:group:{".length(), key.length() - 1);
            if (GroupStore.isWellFormedId(id)) {
                ids.add(id);
            }
            if (ids.size() >= max) {
                break;
            }
        }
        return ids;
    }

    /** Size and the oldest and newest sequence numbers of one offline queue (expired entries not yet swept included). */
    public QueueSummary queue(OfflineStore.Kind kind, String user) {
        RScoredSortedSet<byte[]> queue = redisson.getScoredSortedSet(kind.key(user), ByteArrayCodec.INSTANCE);
        int size = queue.size();
        if (size == 0) {
            return new QueueSummary(0, 0, 0);
        }
        Double first = queue.firstScore();
        Double last = queue.lastScore();
        return new QueueSummary(size, first == null ? 0 : first.longValue(), last == null ? 0 : last.longValue());
    }

    /**
     * One offline queue: its entries, and the sequence numbers of its oldest and newest (0 when
     * empty). A sequence number is the acceptance time in milliseconds x 1000 ({@link SequenceGenerator}).
     */
    public record QueueSummary(int count, long oldestSeq, long newestSeq) {
        /** When the oldest entry was accepted, epoch milliseconds (0 when empty). */
        public long oldestAcceptedAtMillis() {
            return SequenceGenerator.acceptedAtMillis(oldestSeq);
        }

        public long newestAcceptedAtMillis() {
            return SequenceGenerator.acceptedAtMillis(newestSeq);
        }
    }

    private static <T> T await(CompletionStage<T> operation) {
        try {
            return operation.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("Redis is unavailable: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Redis", e);
        }
    }
}
