package io.github.chatserver.server.handler;

import com.google.protobuf.ByteString;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.server.session.ClientState;
import org.apache.mina.core.session.IoSession;

/** docs/PROTOCOL.md §4, Identity: the server knows who each session is. */
public final class Identity {
    private Identity() {
    }

    /**
     * The session's user, after checking the packet's {@code from_uuid} is that user. The field's
     * bytes are checked, not the text protobuf makes of them: invalid UTF-8 decodes to replacement
     * characters, which a name may hold for real.
     */
    static String requireSender(IoSession session, ByteString fromUuid) throws ProtocolViolation {
        String user = ClientState.of(session).user();
        if (user == null || !fromUuid.isValidUtf8() || !user.equals(fromUuid.toStringUtf8())) {
            throw new ProtocolViolation(ProtocolViolation.Kind.FORBIDDEN, "Impersonation: session of '" + user
                    + "' sent from_uuid '" + UuidRule.printable(fromUuid.toStringUtf8()) + "'");
        }
        return user;
    }

    /** The recipient named by a packet field, if it is a well-formed uuid ({@link UuidRule}); else the connection is closed. */
    static String requireRecipient(ByteString toUuid, int maxLength) throws ProtocolViolation {
        // Decoded once, here: this runs for every one-to-one message.
        String to = toUuid.isValidUtf8() ? toUuid.toStringUtf8() : null;
        String problem = to == null ? "not valid UTF-8" : UuidRule.problem(to, maxLength);
        if (problem != null) {
            throw new ProtocolViolation(ProtocolViolation.Kind.MALFORMED_BODY, "Invalid to_uuid: " + problem);
        }
        return to;
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
}
