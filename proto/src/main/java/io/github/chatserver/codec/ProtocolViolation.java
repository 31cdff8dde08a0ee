package io.github.chatserver.codec;

import org.apache.mina.filter.codec.ProtocolDecoderException;

/** Input that breaks the wire contract. The connection that sent it is closed. */
public class ProtocolViolation extends ProtocolDecoderException {
    private static final long serialVersionUID = 1L;

    /** What was wrong, so violations can be counted by kind. */
    public enum Kind {
        /** The header's length is below 8 or above maxFrameLength. */
        FRAME_LENGTH,
        /** The body could not be decrypted (size not a multiple of 16, bad padding). */
        CIPHER,
        /** The plaintext is not a valid message of its type (e.g. a required field missing). */
        MALFORMED_BODY,
        /** A field longer than the server's configured limit (text, group name, uuid). */
        FIELD_LIMIT,
        /** A packet that clients must not send, or one that contradicts the session's identity. */
        FORBIDDEN
    }

    private final Kind kind;
    private final String reason;

    public ProtocolViolation(Kind kind, String reason) {
        super(reason);
        this.kind = kind;
        this.reason = reason;
    }

    public ProtocolViolation(Kind kind, String reason, Throwable cause) {
        super(reason, cause);
        this.kind = kind;
        this.reason = reason;
    }

    /**
     * What was wrong, in one short line. Unlike {@link #getMessage()} it never carries the hex
     * dump that MINA attaches to decoder exceptions, so it is safe to log.
     */
    public String reason() {
        return reason;
    }

    public Kind kind() {
        return kind;
    }
}
