package io.github.chatserver.server.storage;

import io.github.chatserver.protocol.PbC2CTextChat;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RList;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * Messages for users who are not online, as protobuf bytes in a Redis list per recipient, in
 * the order they were sent. (Delivery, expiry and caps build on this in the offline-message work.)
 */
public final class OfflineStore {
    static final String C2C_PREFIX = "chat:offline:c2c:";

    private final RedissonClient redisson;
    private final InFlight inFlight;

    OfflineStore(RedissonClient redisson, InFlight inFlight) {
        this.redisson = redisson;
        this.inFlight = inFlight;
    }

    public CompletionStage<Boolean> storeC2C(PbC2CTextChat message) {
        return inFlight.track(c2cQueue(message.getToUuid()).addAsync(message.toByteArray()));
    }

    /** The number of stored one-to-one messages of a user. */
    public CompletionStage<Integer> countC2C(String user) {
        return c2cQueue(user).sizeAsync();
    }

    private RList<byte[]> c2cQueue(String user) {
        return redisson.getList(C2C_PREFIX + user, ByteArrayCodec.INSTANCE);
    }
}
