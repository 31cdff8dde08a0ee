package io.github.chatserver.server.storage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One entry of an offline queue. In Redis it is a sorted-set member
 * {@code seq|node|expiresAtMillis|payload} scored by {@code seq}: the sequence keeps send order,
 * sequence and node make every member unique, the expiry travels with the message, and the
 * payload is the protobuf bytes of the message.
 */
public record StoredMessage(long seq, long expiresAtMillis, byte[] payload, byte[] member) {
    private static final byte SEPARATOR = '|';
    private static final int HEADER_FIELDS = 3;

    static byte[] member(long seq, String node, long expiresAtMillis, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 48);
        out.writeBytes((seq + "|" + node + "|" + expiresAtMillis + "|").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** Parses a member written by {@link #member}. */
    static StoredMessage parse(byte[] member) {
        int[] at = new int[HEADER_FIELDS];
        int from = 0;
        for (int i = 0; i < HEADER_FIELDS; i++) {
            at[i] = indexOf(member, from);
            if (at[i] < 0) {
                throw new IllegalArgumentException("Not an offline-queue entry");
            }
            from = at[i] + 1;
        }
        long seq = Long.parseLong(new String(member, 0, at[0], StandardCharsets.US_ASCII));
        long expires = Long.parseLong(new String(member, at[1] + 1, at[2] - at[1] - 1, StandardCharsets.US_ASCII));
        return new StoredMessage(seq, expires, Arrays.copyOfRange(member, at[2] + 1, member.length), member);
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
