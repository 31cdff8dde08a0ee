package io.github.chatserver.server.storage;

import java.nio.charset.StandardCharsets;
import org.redisson.api.RedissonClient;
import org.redisson.connection.CRC16;

/**
 * The Redis Cluster hash slot of a key, computed here rather than asked of Redis ({@code CLUSTER
 * KEYSLOT} would cost a round trip per key). Redis's rule: CRC16 (XModem) of the key's UTF-8
 * bytes modulo 16384, where a key holding a {@code '{'} followed later by a {@code '}'} with at
 * least one byte between them is hashed by those bytes only (its hash tag): keys sharing a tag
 * share a slot, so one script may touch them together.
 *
 * <p>The CRC16 is Redisson's own ({@code org.redisson.connection.CRC16}, the table Redisson routes
 * commands with). The tag is found here, on the encoded bytes and exactly as Redis does: Redisson's
 * {@code calcSlot(String)} looks for the first {@code '}'} anywhere in the key (not after the
 * {@code '{'}) and encodes with the platform's charset.
 */
public final class HashSlot {
    /** Slots of a Redis Cluster. */
    public static final int SLOTS = 16384;

    private HashSlot() {
    }

    /** The slot of {@code key}, 0..16383, as Redis Cluster computes it. */
    public static int of(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int open = indexOf(bytes, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(bytes, (byte) '}', open + 1);
            if (close > open + 1) {
                byte[] tag = new byte[close - open - 1];
                System.arraycopy(bytes, open + 1, tag, 0, tag.length);
                bytes = tag;
            }
        }
        return CRC16.crc16(bytes) % SLOTS;
    }

    /**
     * Whether the client talks to a Redis Cluster, where a script or multi-key command must keep
     * to one slot. Elsewhere (one server, Sentinel, replicated) every key is in one keyspace.
     */
    public static boolean isCluster(RedissonClient redisson) {
        return redisson.getConfig().isClusterConfig();
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
