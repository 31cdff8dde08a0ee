package io.github.chatserver.server.handler;

import com.google.protobuf.ByteString;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.server.session.ClientState;
import org.apache.mina.core.session.IoSession;

/** docs/PROTOCOL.md §4, Identity: the server knows who each session is. */
public final class Identity {
    private Identity() {
    }

    /** The session's user, after checking the packet's {@code from_uuid} is that user. */
    static String requireSender(IoSession session, String fromUuid) throws ProtocolViolation {
        String user = ClientState.of(session).user();
        if (user == null || !user.equals(fromUuid)) {
            throw new ProtocolViolation(ProtocolViolation.Kind.FORBIDDEN,
                    "Impersonation: session of '" + user + "' sent from_uuid '" + fromUuid + "'");
        }
        return user;
    }

    /** Refuses a text longer than the configured limit (counted, connection closed). */
    static void requireTextWithin(String text, int maxLength) throws ProtocolViolation {
        if (text.length() > maxLength) {
            throw new ProtocolViolation(ProtocolViolation.Kind.FIELD_LIMIT,
                    "text_msg of " + text.length() + " characters exceeds maxTextLength " + maxLength);
        }
    }

    /**
     * The text as the bytes to pass on, after the same check as {@link #requireTextWithin}, without
     * making a String of it where that can be avoided: UTF-8 never takes fewer bytes than Java
     * takes chars, so a text of at most {@code maxLength} bytes is within the limit. Invalid UTF-8
     * is passed on as the replacement characters a String would hold, as before.
     */
    static ByteString requireTextWithin(ByteString text, int maxLength) throws ProtocolViolation {
        if (text.size() <= maxLength && text.isValidUtf8()) {
            return text;
        }
        String decoded = text.toStringUtf8();
        requireTextWithin(decoded, maxLength);
        return ByteString.copyFromUtf8(decoded);
    }

    /** A uuid is 1..maxLength visible characters, with no white space or control characters. */
    public static boolean isWellFormed(String uuid, int maxLength) {
        if (uuid == null || uuid.isEmpty() || uuid.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < uuid.length(); ) {
            int c = uuid.codePointAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }
}
