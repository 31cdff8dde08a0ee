package io.github.chatserver.server.storage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RBatch;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.protocol.ScoredEntry;

/**
 * Messages for users who are not online: per recipient and kind, a Redis sorted set ordered by
 * the sequence number taken when the message was accepted (send order, see {@link SequenceGenerator}). Each entry carries its own expiry, so an expired message
 * is never delivered whatever arrived after it; the queue key itself expires with its newest
 * entry, so abandoned queues leave nothing behind. A queue holds at most {@code cap} entries:
 * the oldest give way, atomically with the insert.
 */
public final class OfflineStore {
    /** The two queues of a user: one-to-one (type 5, served as 7) and group (type 8, served as 10). */
    public enum Kind {
        C2C("chat:offline:c2c:"), GROUP("chat:offline:group:");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        public String key(String user) {
            return prefix + user;
        }
    }

    /**
     * KEYS[1] queue; ARGV[1] member, ARGV[2] seq, ARGV[3] cap, ARGV[4] ttlMillis.
     * Returns how many old entries the cap pushed out.
     */
    private static final String STORE_SCRIPT = """
            redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
            local dropped = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
            if dropped > 0 then
              redis.call('ZREMRANGEBYRANK', KEYS[1], 0, dropped - 1)
            else
              dropped = 0
            end
            if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
              redis.call('PEXPIRE', KEYS[1], ARGV[4])
            end
            return dropped
            """;

    private final RedissonClient redisson;
    private final InFlight inFlight;
    private final String nodeId;
    private final SequenceGenerator sequence = new SequenceGenerator();

    OfflineStore(RedissonClient redisson, InFlight inFlight, String nodeId) {
        this.redisson = redisson;
        this.inFlight = inFlight;
        this.nodeId = nodeId;
    }

    /**
     * One message to store: for whom, which kind, its place in send order, its protobuf bytes.
     * Take {@code seq} from {@link #nextSeq()} when the message is accepted.
     */
    public record Entry(Kind kind, String recipient, long seq, byte[] payload) {
    }

    /** The order number of a message accepted now. */
    public long nextSeq() {
        return sequence.next();
    }

    /**
     * Stores a message for its recipient. Completes with the number of older messages the cap
     * pushed out of that queue (usually 0).
     */
    public CompletionStage<Long> store(Entry entry, long ttlMillis, int cap) {
        return inFlight.track(redisson.getScript(ByteArrayCodec.INSTANCE).evalAsync(RScript.Mode.READ_WRITE,
                STORE_SCRIPT, RScript.ReturnType.LONG, keys(entry), args(entry, ttlMillis, cap)));
    }

    /**
     * Stores many messages in one pipelined round trip (a group message for its offline members).
     * Completes with the total pushed out by caps.
     */
    public CompletionStage<Long> storeAll(List<Entry> entries, long ttlMillis, int cap) {
        if (entries.size() == 1) {
            return store(entries.get(0), ttlMillis, cap);
        }
        RBatch batch = redisson.createBatch();
        var script = batch.getScript(ByteArrayCodec.INSTANCE);
        for (Entry e : entries) {
            script.evalAsync(RScript.Mode.READ_WRITE, STORE_SCRIPT, RScript.ReturnType.LONG, keys(e),
                    args(e, ttlMillis, cap));
        }
        return inFlight.track(batch.executeAsync()).thenApply(result -> result.getResponses().stream()
                .mapToLong(r -> ((Number) r).longValue()).sum());
    }

    /** Up to {@code max} entries with a sequence number above {@code afterSeq}, oldest first, expired ones included. */
    public CompletionStage<List<StoredMessage>> fetch(Kind kind, String user, long afterSeq, int max) {
        return inFlight.track(queue(kind, user).entryRangeAsync(afterSeq, false, Double.POSITIVE_INFINITY, true, 0, max))
                .thenApply(OfflineStore::parseAll);
    }

    /** Removes one delivered (or expired) entry. */
    public CompletionStage<Boolean> remove(Kind kind, String user, StoredMessage message) {
        return inFlight.track(queue(kind, user).removeAsync(message.member()));
    }

    /** How many entries a queue holds, expired ones not yet swept included. */
    public CompletionStage<Integer> count(Kind kind, String user) {
        return inFlight.track(queue(kind, user).sizeAsync());
    }

    private RScoredSortedSet<byte[]> queue(Kind kind, String user) {
        return redisson.getScoredSortedSet(kind.key(user), ByteArrayCodec.INSTANCE);
    }

    private static List<Object> keys(Entry e) {
        return List.of(e.kind().key(e.recipient()));
    }

    private Object[] args(Entry e, long ttlMillis, int cap) {
        long expiresAt = System.currentTimeMillis() + ttlMillis;
        byte[] member = StoredMessage.member(e.seq(), nodeId, expiresAt, e.payload());
        return new Object[] {member, ascii(e.seq()), ascii(cap), ascii(ttlMillis)};
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static List<StoredMessage> parseAll(Collection<ScoredEntry<byte[]>> entries) {
        List<StoredMessage> messages = new ArrayList<>(entries.size());
        for (ScoredEntry<byte[]> e : entries) {
            messages.add(StoredMessage.parse(e.getValue()));
        }
        return messages;
    }
}
