package io.github.chatserver.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** Writes and reads back a set of numbered keys, so a test can compare what it wrote with what it finds. */
final class NumberedKeys {
    /** Enough keys that, hashed over 16384 slots, each of three cluster shards gets some. */
    private static final int COUNT = 60;

    private NumberedKeys() {
    }

    /** Sets key-0 ... key-59 to values naming the round; returns what it wrote. */
    static Map<String, String> write(RedissonClient client, String round) {
        Map<String, String> written = new LinkedHashMap<>();
        for (int i = 0; i < COUNT; i++) {
            String key = "key-" + i;
            String value = round + "-" + i;
            client.getBucket(key, StringCodec.INSTANCE).set(value);
            written.put(key, value);
        }
        return written;
    }

    static Map<String, String> read(RedissonClient client, Set<String> keys) {
        Map<String, String> read = new LinkedHashMap<>();
        for (String key : keys) {
            read.put(key, client.<String>getBucket(key, StringCodec.INSTANCE).get());
        }
        return read;
    }
}
