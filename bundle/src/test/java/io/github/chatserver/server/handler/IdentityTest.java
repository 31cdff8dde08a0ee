package io.github.chatserver.server.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.github.chatserver.codec.ProtocolViolation;
import org.junit.jupiter.api.Test;

/** The text limit counts characters, as it always did, while passing the text on as bytes. */
class IdentityTest {

    @Test
    void aTextWithinTheLimitInBytesIsPassedOnAsItIs() throws Exception {
        ByteString text = ByteString.copyFromUtf8("hello");
        assertSame(text, Identity.requireTextWithin(text, 5));
    }

    @Test
    void theLimitCountsCharactersNotBytes() throws Exception {
        ByteString checks = ByteString.copyFromUtf8("✓✓✓"); // 3 characters, 9 bytes
        assertEquals(checks, Identity.requireTextWithin(checks, 3));
        ProtocolViolation v = assertThrows(ProtocolViolation.class, () -> Identity.requireTextWithin(checks, 2));
        assertEquals(ProtocolViolation.Kind.FIELD_LIMIT, v.kind());
        assertThrows(ProtocolViolation.class, () -> Identity.requireTextWithin(ByteString.copyFromUtf8("123456"), 5));
    }

    @Test
    void invalidUtf8IsPassedOnAsReplacementCharacters() throws Exception {
        ByteString broken = ByteString.copyFrom(new byte[] {'o', 'k', (byte) 0xC3}); // a cut two-byte sequence
        ByteString passed = Identity.requireTextWithin(broken, 10);
        assertTrue(passed.isValidUtf8());
        assertEquals("ok\uFFFD", passed.toStringUtf8());
    }
}
