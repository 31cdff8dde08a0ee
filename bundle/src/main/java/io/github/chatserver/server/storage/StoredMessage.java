package io.github.chatserver.server.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One entry of an offline queue. In Redis it is a sorted-set member {@code seq|expiresAtMillis|payload}
 * scored by {@code seq}: the sequence number keeps send order and makes every member unique, the
 * expiry travels with the message, and the payload is the protobuf bytes of the message.
 */
public record StoredMessage(long seq, long expiresAtMillis, byte[] payload, byte[] member) {
    private static final byte SEPARATOR = '|';

    /** Parses a member as written by the store script. */
    static StoredMessage parse(byte[] member) {
        int first = indexOf(member, 0);
        int second = indexOf(member, first + 1);
        if (first < 0 || second < 0) {
            throw new IllegalArgumentException("Not an offline-queue entry");
        }
        long seq = Long.parseLong(new String(member, 0, first, StandardCharsets.US_ASCII));
        long expires = Long.parseLong(new String(member, first + 1, second - first - 1, StandardCharsets.US_ASCII));
        return new StoredMessage(seq, expires, Arrays.copyOfRange(member, second + 1, member.length), member);
    }

    public boolean expiredAt(long nowMillis) {
        return expiresAtMillis <= nowMillis;
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == SEPARATOR) {
                return i;
            }
        }
        return -1;
    }
}
