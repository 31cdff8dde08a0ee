package io.github.chatserver.server.storage;

import io.github.chatserver.server.config.OfflinePolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 *
 * <p>Storing is idempotent, so a write whose answer was lost can be sent again ({@link RetryBuffer}):
 * an entry's member is made only of what was fixed when the message was accepted (its sequence
 * number, this node, its expiry counted from acceptance, its bytes), and adding a member that is
 * already there changes nothing.
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
     * KEYS[1] queue; ARGV[1] member, ARGV[2] seq, ARGV[3] cap, ARGV[4] millis left until the entry expires.
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

    /** What one store did: entries written, older entries the cap pushed out, entries already expired (not written). */
    public record Outcome(int stored, long dropped, int expired) {
    }

    /**
     * Stores messages for their recipients, in one pipelined round trip (a group message for its
     * offline members). Each entry expires after the TTL of its kind, counted from when it was
     * accepted ({@link SequenceGenerator#acceptedAtMillis}); one already expired is not written.
     * Sending the same entries again (a retry) adds nothing twice.
     */
    public CompletionStage<Outcome> storeAll(List<Entry> entries, OfflinePolicy policy) {
        long now = System.currentTimeMillis();
        List<Entry> live = new ArrayList<>(entries.size());
        List<Object[]> args = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            long ttl = (e.kind() == Kind.C2C ? policy.c2cTtl() : policy.groupTtl()).toMillis();
            long expiresAt = SequenceGenerator.acceptedAtMillis(e.seq()) + ttl;
            if (expiresAt > now) {
                live.add(e);
                args.add(args(e, expiresAt, expiresAt - now, policy.cap()));
            }
        }
        int expired = entries.size() - live.size();
        if (live.isEmpty()) {
            return CompletableFuture.completedFuture(new Outcome(0, 0, expired));
        }
        if (live.size() == 1) {
            return inFlight.track(redisson.getScript(ByteArrayCodec.INSTANCE).<Long>evalAsync(RScript.Mode.READ_WRITE,
                    STORE_SCRIPT, RScript.ReturnType.LONG, keys(live.get(0)), args.get(0)))
                    .thenApply(dropped -> new Outcome(1, dropped, expired));
        }
        RBatch batch = redisson.createBatch();
        var script = batch.getScript(ByteArrayCodec.INSTANCE);
        for (int i = 0; i < live.size(); i++) {
            script.evalAsync(RScript.Mode.READ_WRITE, STORE_SCRIPT, RScript.ReturnType.LONG, keys(live.get(i)), args.get(i));
        }
        return inFlight.track(batch.executeAsync()).thenApply(result -> new Outcome(live.size(),
                result.getResponses().stream().mapToLong(r -> ((Number) r).longValue()).sum(), expired));
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

    private Object[] args(Entry e, long expiresAt, long millisLeft, int cap) {
        byte[] member = StoredMessage.member(e.seq(), nodeId, expiresAt, e.payload());
        return new Object[] {member, ascii(e.seq()), ascii(cap), ascii(millisLeft)};
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
