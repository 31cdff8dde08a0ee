package io.github.chatserver.server.handler;

import com.google.protobuf.ByteString;

/**
 * What a uuid (a user name) may be, docs/PROTOCOL.md section 4: any text the original server took, so that
 * its clients keep working (the original Java test client logs in as {@code hello, 我是一个java程序}).
 * Spaces, punctuation and every script are fine. Refused are only the empty uuid, one longer than
 * {@code maxUuidLength} characters (Unicode code points: an emoji counts as one), invalid UTF-8,
 * and the characters that would let a name break or disguise a log line or console output:
 * control characters (C0, DEL, C1: tab and newline included), the Unicode line and paragraph
 * separators, unpaired surrogates, and the bidirectional embedding, override and isolate controls
 * (which can make a name display as another). Names are compared exactly: nothing is trimmed or normalised.
 */
public final class UuidRule {
    /** Longest untrusted text {@link #printable} puts into a log line. */
    static final int MAX_PRINTED = 200;

    private UuidRule() {
    }

    public static boolean isWellFormed(String uuid, int maxLength) {
        return problem(uuid, maxLength) == null;
    }

    /** Why this uuid is refused, in a few words for an answer or a console message, or {@code null} if it is well-formed. */
    public static String problem(String uuid, int maxLength) {
        if (uuid == null || uuid.isEmpty()) {
            return "empty";
        }
        // UTF-16 never takes fewer chars than code points: most names need no count at all.
        if (uuid.length() > maxLength && uuid.codePointCount(0, uuid.length()) > maxLength) {
            return "longer than " + maxLength + " characters";
        }
        for (int i = 0; i < uuid.length(); ) {
            int c = uuid.codePointAt(i);
            String refused = refusedCharacter(c);
            if (refused != null) {
                return "contains " + refused + String.format(" (U+%04X)", c);
            }
            i += Character.charCount(c);
        }
        return null;
    }

    /** The uuid, or an {@link IllegalArgumentException} whose message says why it is refused (console commands). */
    public static String require(String uuid, int maxLength) {
        String problem = problem(uuid, maxLength);
        if (problem != null) {
            throw new IllegalArgumentException("Invalid uuid '" + printable(String.valueOf(uuid)) + "': " + problem);
        }
        return uuid;
    }

    /**
     * The same for the raw bytes of a packet field. Protobuf hands a proto2 string field with
     * invalid UTF-8 over as replacement characters, which would make it another, valid name:
     * the bytes are checked first.
     */
    public static String problem(ByteString raw, int maxLength) {
        if (!raw.isValidUtf8()) {
            return "not valid UTF-8";
        }
        // A code point takes at most 4 bytes: far longer input is refused without decoding it.
        if (raw.size() > 4L * maxLength) {
            return "longer than " + maxLength + " characters";
        }
        return problem(raw.toStringUtf8(), maxLength);
    }

    /** Untrusted text for a log line: control and format characters escaped, at most {@link #MAX_PRINTED} chars. */
    public static String printable(String text) {
        StringBuilder out = new StringBuilder();
        int end = Math.min(text.length(), MAX_PRINTED);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return end < text.length() ? out.append("...").toString() : out.toString();
    }

    private static String refusedCharacter(int c) {
        switch (Character.getType(c)) {
            case Character.CONTROL:
                return "a control character";
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return "a line separator";
            case Character.SURROGATE:
                return "an unpaired surrogate";
            default:
                return isBidiControl(c) ? "a bidirectional control" : null;
        }
    }

    /** LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI; the plain marks (LRM, RLM, ALM) stay allowed. */
    private static boolean isBidiControl(int c) {
        return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }
}
