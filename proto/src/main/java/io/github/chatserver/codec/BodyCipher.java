package io.github.chatserver.codec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The body cipher of docs/PROTOCOL.md §2. Implementations are thread-safe: one instance
 * serves every connection of a listener.
 */
public interface BodyCipher {

    /** The mode names used in the configuration. */
    String LEGACY_AES = "legacy-aes";
    String NONE = "none";

    /** The key the original clients were built with. */
    String ORIGINAL_CLIENT_KEY = "12345abcdef67890";

    byte[] encrypt(byte[] plain);

    /** @throws GeneralSecurityException if the body is not a valid ciphertext (size, padding) */
    byte[] decrypt(byte[] body) throws GeneralSecurityException;

    String mode();

    /**
     * The cipher for a configured mode.
     *
     * @param mode {@link #LEGACY_AES} or {@link #NONE}
     * @param key  16 ASCII characters, used for {@link #LEGACY_AES} only
     */
    static BodyCipher forMode(String mode, String key) {
        switch (mode) {
            case LEGACY_AES:
                if (key == null || !key.chars().allMatch(c -> c < 0x80)) {
                    // getBytes(US_ASCII) would silently turn other characters into '?'
                    throw new IllegalArgumentException("The legacy-aes key must be ASCII");
                }
                return new LegacyAesCipher(key.getBytes(StandardCharsets.US_ASCII));
            case NONE:
                return PlainBody.INSTANCE;
            default:
                throw new IllegalArgumentException(
                        "Unknown cipher mode '" + mode + "': expected " + LEGACY_AES + " or " + NONE);
        }
    }
}
