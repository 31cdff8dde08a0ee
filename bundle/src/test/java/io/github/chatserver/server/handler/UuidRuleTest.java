package io.github.chatserver.server.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The uuid rule: what the original server took is taken, only what breaks lines or hides text is not. */
class UuidRuleTest {
    private static final int MAX = 16;

    @ParameterizedTest
    @ValueSource(strings = {"hello, 我是一个java程序", "张 三", "😀 smile", " leading and trailing ", "a.b|c*d?e[f]{g}",
            "tab-less \u00A0 nbsp", "👨\u200D👩\u200D👧 family", "\u05E9\u05DC\u05D5\u05DD\u200F rtl mark", "\uFFFD", "x"})
    void takesAnyTextTheOriginalServerTook(String uuid) {
        assertNull(UuidRule.problem(uuid, 64), uuid);
        assertNull(UuidRule.problem(ByteString.copyFromUtf8(uuid), 64), uuid);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bell\u0007", "new\nline", "tab\there", "nul\u0000", "del\u007F", "c1\u0085", "ls\u2028", "ps\u2029",
            "rlo\u202Eevil", "isolate\u2066x\u2069"})
    void refusesControlsLineSeparatorsAndBidiControls(String uuid) {
        String problem = UuidRule.problem(uuid, 64);
        assertTrue(problem != null && problem.startsWith("contains "), uuid + ": " + problem);
        assertFalse(UuidRule.isWellFormed(uuid, 64));
    }

    @Test
    void refusesTheEmptyUuidAndAnUnpairedSurrogate() {
        assertEquals("empty", UuidRule.problem("", MAX));
        assertEquals("empty", UuidRule.problem((String) null, MAX));
        assertEquals("empty", UuidRule.problem(ByteString.EMPTY, MAX));
        assertEquals("contains an unpaired surrogate (U+D83D)", UuidRule.problem("x\uD83D", MAX));
        assertEquals("contains an unpaired surrogate (U+DE00)", UuidRule.problem("\uDE00x", MAX));
    }

    @Test
    void theLengthIsCountedInCodePoints() {
        String emoji = "😀".repeat(MAX); // 16 code points, 32 UTF-16 chars, 64 bytes
        assertNull(UuidRule.problem(emoji, MAX));
        assertNull(UuidRule.problem(ByteString.copyFromUtf8(emoji), MAX));
        assertEquals("longer than 16 characters", UuidRule.problem(emoji + "x", MAX));
        assertEquals("longer than 16 characters", UuidRule.problem(ByteString.copyFromUtf8(emoji + "x"), MAX));
        assertNull(UuidRule.problem("x".repeat(MAX), MAX));
        assertEquals("longer than 16 characters", UuidRule.problem("x".repeat(MAX + 1), MAX));
    }

    @Test
    void invalidUtf8IsRefusedNotReadAsReplacementCharacters() {
        ByteString cut = ByteString.copyFrom(new byte[] {'o', 'k', (byte) 0xC3});
        ByteString encodedSurrogate = ByteString.copyFrom(new byte[] {'x', (byte) 0xED, (byte) 0xA0, (byte) 0xBD});
        ByteString overlong = ByteString.copyFrom(new byte[] {(byte) 0xC0, (byte) 0xAF});
        for (ByteString raw : new ByteString[] {cut, encodedSurrogate, overlong}) {
            assertEquals("not valid UTF-8", UuidRule.problem(raw, MAX));
            assertNull(UuidRule.problem(raw.toStringUtf8(), MAX), "what protobuf would have made of it is a valid name");
        }
    }

    @Test
    void aConsoleArgumentIsRefusedWithTheReasonAndThePrintableName() {
        assertEquals("张 三", UuidRule.require("张 三", MAX));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UuidRule.require("a\nb", MAX));
        assertEquals("Invalid uuid 'a\\u000Ab': contains a control character (U+000A)", e.getMessage());
    }

    @Test
    void printableEscapesWhatCouldForgeALogLineAndCapsTheLength() {
        assertEquals("a\\u000A2026 INFO forged\\u202E", UuidRule.printable("a\n2026 INFO forged\u202E"));
        assertEquals("张 三 😀", UuidRule.printable("张 三 😀"));
        String longText = "y".repeat(UuidRule.MAX_PRINTED + 50);
        assertEquals("y".repeat(UuidRule.MAX_PRINTED) + "...", UuidRule.printable(longText));
    }
}
