package io.github.chatserver.server.wire;

import io.github.chatserver.server.wire.RawWireClient.Fields;
import io.github.chatserver.server.wire.RawWireClient.Proto;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The raw client checked against bytes worked out independently of Java: protobuf encodings by
 * hand from the encoding rules, AES vectors from {@code openssl enc -aes-128-cbc} with
 * key = IV = hex of "12345abcdef67890". If these hold, WireContractTest checks the server
 * against the contract and not against a mistake of its own.
 */
class RawWireClientTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void loginBodyIsEncodedFieldByFieldAsProto2() {
        byte[] body = new Proto().string(1, "abc").float32(2, 1.0f).int64(3, 1_420_070_400L).string(4, "t").toByteArray();

        // 0a = field 1 length-delimited; 15 = field 2 fixed32, 1.0f little-endian;
        // 18 = field 3 varint, 1420070400 base 128; 22 = field 4 length-delimited.
        assertEquals("0a03616263" + "150000803f" + "18809c92a505" + "220174", HEX.formatHex(body));
    }

    @Test
    void varintEdgeCases() {
        assertEquals("08ac02", HEX.formatHex(new Proto().int64(1, 300).toByteArray()));
        assertEquals("08ffffffffffffffffff01", HEX.formatHex(new Proto().int64(1, -1).toByteArray()));
        assertEquals("0800", HEX.formatHex(new Proto().bool(1, false).toByteArray()));
        // field 16 needs a two-byte tag: (16 << 3 | 2) = 130 = 0x82 0x01
        assertEquals("820100", HEX.formatHex(new Proto().string(16, "").toByteArray()));
    }

    @Test
    void readerDecodesWhatTheWriterWroteAndChecksWireTypes() {
        Proto inner = new Proto().string(1, "g").string(4, "m1").string(4, "m2");
        byte[] body = new Proto().string(1, "abc✓").float32(2, 1.5f).int64(3, 1_420_070_400L).bool(5, true)
                .message(6, inner).message(6, new Proto().string(1, "h")).toByteArray();

        Fields f = Fields.parse(body);

        assertEquals(Set.of(1, 2, 3, 5, 6), f.numbers());
        assertEquals("abc✓", f.string(1));
        assertEquals(1.5f, f.float32(2));
        assertEquals(1_420_070_400L, f.int64(3));
        assertEquals(true, f.bool(5));
        assertEquals(List.of("m1", "m2"), f.messages(6).get(0).strings(4));
        assertEquals("h", f.messages(6).get(1).string(1));
        assertThrows(AssertionError.class, () -> f.string(3), "a varint is not a string");
        assertThrows(AssertionError.class, () -> f.int64(2), "a fixed32 is not a varint");
        assertThrows(AssertionError.class, () -> f.message(6), "a repeated field is not a single one");
        assertThrows(AssertionError.class, () -> Fields.parse(HEX.parseHex("0a05616263")), "truncated");
        assertThrows(AssertionError.class, () -> Fields.parse(HEX.parseHex("0b")), "group wire type");
        assertThrows(AssertionError.class, () -> Fields.parse(HEX.parseHex("0aff")), "truncated length varint");
        assertThrows(AssertionError.class, () -> Fields.parse(HEX.parseHex("0a01ff")).string(1), "invalid UTF-8");
    }

    @Test
    void legacyAesMatchesOpenssl() {
        assertEquals("e6a4c07017cbd3aa6e668a2a400da5e5",
                HEX.formatHex(RawWireClient.encrypt("hello".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("d1e5e878cea53a3104dcf607c36fe150", HEX.formatHex(RawWireClient.encrypt(new byte[0])));
        byte[] oneBlock = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        assertEquals("1171aa6e5c21f8029980eb101f7e40c0c5dcfea050cacded405ff8019c415d4b",
                HEX.formatHex(RawWireClient.encrypt(oneBlock)));
        assertArrayEquals(oneBlock, RawWireClient.decrypt(HEX.parseHex(
                "1171aa6e5c21f8029980eb101f7e40c0c5dcfea050cacded405ff8019c415d4b")));
    }

    @Test
    void framesHaveABigEndianLengthThatCountsTheHeader() {
        assertEquals("0000001800000005" + "00".repeat(16), HEX.formatHex(RawWireClient.frame(5, new byte[16])));
        assertEquals("0000000800000004", HEX.formatHex(RawWireClient.frame(4, new byte[0])));
        assertEquals("00002001" + "00000005", HEX.formatHex(RawWireClient.header(8193, 5)));
        assertEquals("ffffffff" + "0000004d", HEX.formatHex(RawWireClient.header(0xFFFF_FFFFL, 77)));
    }
}
