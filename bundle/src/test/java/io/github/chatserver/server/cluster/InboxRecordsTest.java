package io.github.chatserver.server.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bytes of an inbox entry. */
class InboxRecordsTest {
    private static InboxRecord record(int kind, List<String> to, long seq, String payload) {
        return new InboxRecord((byte) kind, to, seq, payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void recordsComeBackAsTheyWentInInOrder() {
        List<InboxRecord> records = List.of(
                record(5, List.of("bob"), 1_700_000_000_123_000L, "hello"),
                record(8, List.of("ann", "Jürgen Groß", "李小龍", "{odd}:name|"), 42, ""),
                record(-1, List.of(), Long.MIN_VALUE, "no recipients"));

        List<InboxRecord> back = InboxRecords.decode(InboxRecords.encode(records));

        assertEquals(records.size(), back.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(records.get(i).kind(), back.get(i).kind());
            assertEquals(records.get(i).recipients(), back.get(i).recipients());
            assertEquals(records.get(i).sequence(), back.get(i).sequence());
            assertArrayEquals(records.get(i).payload(), back.get(i).payload());
        }
        assertEquals(List.of(), InboxRecords.decode(InboxRecords.encode(List.of())));
    }

    @Test
    void bytesThatAreNotAnEntryAreRefused() {
        byte[] entry = InboxRecords.encode(List.of(record(5, List.of("bob"), 1, "hello")));
        assertThrows(IllegalArgumentException.class, () -> InboxRecords.decode(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> InboxRecords.decode(Arrays.copyOf(entry, entry.length - 1)));
        byte[] otherVersion = entry.clone();
        otherVersion[0] = 2;
        assertThrows(IllegalArgumentException.class, () -> InboxRecords.decode(otherVersion));
        byte[] hugeLength = entry.clone();
        hugeLength[1] = 0x7f; // the record claims more bytes than there are
        assertThrows(IllegalArgumentException.class, () -> InboxRecords.decode(hugeLength));
    }
}
