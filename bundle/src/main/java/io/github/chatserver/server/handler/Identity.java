package io.github.chatserver.server.handler;

import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.server.session.ClientState;
import org.apache.mina.core.session.IoSession;

/** PROTOCOL.md section 4, Identity: the server knows who each session is. */
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

    /** A uuid is 1..maxLength visible characters, with no white space or control characters. */
    public static boolean isWellFormed(String uuid, int maxLength) {
        if (uuid == null || uuid.isEmpty() || uuid.length() > maxLength) {
            return false;
        }
        return uuid.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }
}
