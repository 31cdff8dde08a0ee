package io.github.chatserver.server.storage;

import io.github.chatserver.server.config.OfflinePolicy;
import io.github.chatserver.server.storage.retry.RetryBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
     * Stores entries, each in its queue: KEYS[i] the queue of entry i; ARGV[4i-3..4i] its member,
     * seq, the queue's cap, and the millis left until it expires. The oldest entries give way to the
     * cap; the key lives as long as its newest entry. Returns, per entry, how many old entries the cap
     * pushed out.
     */
    private static final String STORE_SCRIPT = """
            local dropped = {}
            for i = 1, #KEYS do
              local a = (i - 1) * 4
              local queue = KEYS[i]
              redis.call('ZADD', queue, ARGV[a + 2], ARGV[a + 1])
              local d = redis.call('ZCARD', queue) - tonumber(ARGV[a + 3])
              if d > 0 then
                redis.call('ZREMRANGEBYRANK', queue, 0, d - 1)
              else
                d = 0
              end
              if redis.call('PTTL', queue) < tonumber(ARGV[a + 4]) then
                redis.call('PEXPIRE', queue, ARGV[a + 4])
              end
              dropped[i] = d
            end
            return dropped
            """;

    /** Removes entries: KEYS[i] the queue, ARGV[i] the member. Returns, per entry, 1 if it was there. */
    private static final String REMOVE_SCRIPT = """
            local removed = {}
            for i = 1, #KEYS do
              removed[i] = redis.call('ZREM', KEYS[i], ARGV[i])
            end
            return removed
            """;

    /** One entry for a script above: its queue and its arguments. */
    private record Item(String queue, byte[]... args) {
    }

    private final RedissonClient redisson;
    private final InFlight inFlight;
    private final String nodeId;
    private final SequenceGenerator sequence = new SequenceGenerator();
    /** Stores and removals: many small writes, each kind sent as one script call per round trip under load. */
    private final RedisPipeline<Item, Long> stores;
    private final RedisPipeline<Item, Long> removals;

    OfflineStore(RedissonClient redisson, InFlight inFlight, String nodeId) {
        this.redisson = redisson;
        this.inFlight = inFlight;
        this.nodeId = nodeId;
        this.stores = new RedisPipeline<>(items -> run(STORE_SCRIPT, items), inFlight);
        this.removals = new RedisPipeline<>(items -> run(REMOVE_SCRIPT, items), inFlight);
    }

    /** One script call for all the items: their queues as KEYS, their arguments in order as ARGV. */
    private CompletionStage<List<Long>> run(String script, List<Item> items) {
        List<Object> keys = new ArrayList<>(items.size());
        List<Object> args = new ArrayList<>(items.size() * 4);
        for (Item item : items) {
            keys.add(item.queue());
            args.addAll(java.util.Arrays.asList((Object[]) item.args()));
        }
        return redisson.getScript(ByteArrayCodec.INSTANCE).<List<Object>>evalAsync(RScript.Mode.READ_WRITE, script,
                RScript.ReturnType.LIST, keys, args.toArray()).thenApply(OfflineStore::longs);
    }

    private static List<Long> longs(List<Object> replies) {
        List<Long> values = new ArrayList<>(replies.size());
        for (Object r : replies) {
            values.add(((Number) r).longValue());
        }
        return values;
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
     * Stores messages for their recipients, pipelined ({@link RedisPipeline}: a group message's
     * entries for its offline members, and whatever else is stored meanwhile, in one round trip). Each entry expires after the TTL of its kind, counted from when it was
     * accepted ({@link SequenceGenerator#acceptedAtMillis}); one already expired is not written.
     * Sending the same entries again (a retry) adds nothing twice.
     */
    public CompletionStage<Outcome> storeAll(List<Entry> entries, OfflinePolicy policy) {
        long now = System.currentTimeMillis();
        List<Entry> live = new ArrayList<>(entries.size());
        List<byte[][]> args = new ArrayList<>(entries.size());
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
        // Each entry is one item of the store pipeline; a group message's entries usually share a call.
        List<CompletableFuture<Long>> drops = new ArrayList<>(live.size());
        for (int i = 0; i < live.size(); i++) {
            drops.add(stores.submit(new Item(live.get(i).kind().key(live.get(i).recipient()), args.get(i)))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(drops.toArray(CompletableFuture[]::new)).thenApply(ignored ->
                new Outcome(live.size(), drops.stream().mapToLong(CompletableFuture::join).sum(), expired));
    }

    /** Up to {@code max} entries with a sequence number above {@code afterSeq}, oldest first, expired ones included. */
    public CompletionStage<List<StoredMessage>> fetch(Kind kind, String user, long afterSeq, int max) {
        return inFlight.track(queue(kind, user).entryRangeAsync(afterSeq, false, Double.POSITIVE_INFINITY, true, 0, max))
                .thenApply(OfflineStore::parseAll);
    }

    /** Removes one delivered (or expired) entry. */
    public CompletionStage<Boolean> remove(Kind kind, String user, StoredMessage message) {
        return removals.submit(new Item(kind.key(user), message.member())).thenApply(removed -> removed == 1);
    }

    /** How many entries a queue holds, expired ones not yet swept included. */
    public CompletionStage<Integer> count(Kind kind, String user) {
        return inFlight.track(queue(kind, user).sizeAsync());
    }

    private RScoredSortedSet<byte[]> queue(Kind kind, String user) {
        return redisson.getScoredSortedSet(kind.key(user), ByteArrayCodec.INSTANCE);
    }

    private byte[][] args(Entry e, long expiresAt, long millisLeft, int cap) {
        byte[] member = StoredMessage.member(e.seq(), nodeId, expiresAt, e.payload());
        return new byte[][] {member, ascii(e.seq()), ascii(cap), ascii(millisLeft)};
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
