package io.github.chatserver.server.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one inbox stream entry: the records a sender gathered for one node while its
 * previous entry was on its way. Big-endian:
 * <pre>
 *   entry   = version(1 byte, = 1) record*
 *   record  = length(int32, of what follows) kind(1 byte) sequence(int64)
 *             recipientCount(int32) recipient* payloadLength(int32) payload
 *   recipient = length(int32) UTF-8 bytes
 * </pre>
 * Each record is length-prefixed, so a reader could skip a record it does not understand.
 */
final class InboxRecords {
    static final byte VERSION = 1;

    private InboxRecords() {
    }

    static byte[] encode(List<InboxRecord> records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(VERSION);
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        try {
            DataOutputStream entry = new DataOutputStream(bytes);
            for (InboxRecord record : records) {
                one.reset();
                DataOutputStream out = new DataOutputStream(one);
                out.writeByte(record.kind());
                out.writeLong(record.sequence());
                out.writeInt(record.recipients().size());
                for (String recipient : record.recipients()) {
                    byte[] name = recipient.getBytes(StandardCharsets.UTF_8);
                    out.writeInt(name.length);
                    out.write(name);
                }
                out.writeInt(record.payload().length);
                out.write(record.payload());
                entry.writeInt(one.size());
                one.writeTo(entry);
            }
            entry.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // never: in memory
        }
        return bytes.toByteArray();
    }

    /** The records of an entry, in order; {@link IllegalArgumentException} if the bytes are not such an entry. */
    static List<InboxRecord> decode(byte[] entry) {
        ByteBuffer in = ByteBuffer.wrap(entry);
        try {
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("inbox entry of format " + version + ", not " + VERSION);
            }
            List<InboxRecord> records = new ArrayList<>();
            while (in.hasRemaining()) {
                int length = in.getInt();
                ByteBuffer record = in.slice(in.position(), checkedLength(length, in.remaining()));
                in.position(in.position() + length);
                byte kind = record.get();
                long sequence = record.getLong();
                int count = checkedLength(record.getInt(), record.remaining() / 4);
                List<String> recipients = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    byte[] name = new byte[checkedLength(record.getInt(), record.remaining())];
                    record.get(name);
                    recipients.add(new String(name, StandardCharsets.UTF_8));
                }
                byte[] payload = new byte[checkedLength(record.getInt(), record.remaining())];
                record.get(payload);
                records.add(new InboxRecord(kind, recipients, sequence, payload));
            }
            return records;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated inbox entry", e);
        }
    }

    private static int checkedLength(int length, int available) {
        if (length < 0 || length > available) {
            throw new IllegalArgumentException("inbox entry: length " + length + " beyond the " + available + " bytes left");
        }
        return length;
    }
}
