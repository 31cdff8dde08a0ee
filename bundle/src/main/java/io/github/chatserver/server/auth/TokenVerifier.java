package io.github.chatserver.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks a login token made by {@link TokenMinter}: {@code uuid.expiry.signature}. The token is
 * parsed from the right, since a uuid may itself contain dots (or spaces, '|', anything): the
 * expiry is digits only and the signature base64url, neither ever holds a dot, so the split is
 * unambiguous whatever the uuid. The outcome names what was wrong,
 * for the server's log only: a client is only ever told "invalid credentials".
 */
public final class TokenVerifier {
    /** What a check found. */
    public enum Outcome {
        VALID,
        /** Not three parts, expiry not a number, a signature of the wrong shape, too long. */
        MALFORMED,
        BAD_SIGNATURE,
        /** Correctly signed, but for another user than the one logging in. */
        WRONG_USER,
        EXPIRED
    }

    /**
     * Longest token looked at, in UTF-16 chars: a uuid of up to 1024 code points (2048 chars), an
     * expiry of up to 18 digits, a 43-character signature.
     */
    static final int MAX_LENGTH = 2 * 1024 + 1 + 18 + 1 + 43;
    private static final int SIGNATURE_LENGTH = 43; // 32 bytes in base64url without padding
    private static final int MAX_EXPIRY_DIGITS = 18;

    private final String secret;

    public TokenVerifier(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("A token secret is required");
        }
        this.secret = secret;
    }

    /**
     * @param token field 4 of the login
     * @param uuid field 1 of the login: the token must be for this user
     * @param nowSeconds current Unix time; a token is valid while {@code now < expiry}
     */
    public Outcome check(String token, String uuid, long nowSeconds) {
        if (token == null || token.length() > MAX_LENGTH) {
            return Outcome.MALFORMED;
        }
        int lastDot = token.lastIndexOf('.');
        int expiryDot = lastDot <= 0 ? -1 : token.lastIndexOf('.', lastDot - 1);
        if (expiryDot <= 0) {
            return Outcome.MALFORMED; // fewer than three parts, or an empty uuid
        }
        String expiryText = token.substring(expiryDot + 1, lastDot);
        String signature = token.substring(lastDot + 1);
        if (!isDigits(expiryText) || signature.length() != SIGNATURE_LENGTH) {
            return Outcome.MALFORMED;
        }
        String payload = token.substring(0, lastDot);
        byte[] expected = TokenMinter.sign(secret, payload).getBytes(StandardCharsets.US_ASCII);
        // Comparing the encoded forms in constant time: no decoding, so no lenient alternative spellings.
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8))) {
            return Outcome.BAD_SIGNATURE;
        }
        if (!token.substring(0, expiryDot).equals(uuid)) {
            return Outcome.WRONG_USER;
        }
        return nowSeconds < Long.parseLong(expiryText) ? Outcome.VALID : Outcome.EXPIRED;
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.length() <= MAX_EXPIRY_DIGITS && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
