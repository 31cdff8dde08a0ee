package io.github.chatserver.codec;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-128-CBC with PKCS#7 padding where the IV is the key, as the original Go server did.
 * It exists only so that the original clients keep working: see docs/PROTOCOL.md §2.
 *
 * <p>{@code Cipher.getInstance} and {@code init} dominated the profile when done per packet
 * (about 45% of the samples), so each thread keeps one initialised cipher per direction. After
 * {@code doFinal} a JCE cipher returns to its initialised state (same key, same IV), which is
 * exactly what this mode needs for the next body.
 */
final class LegacyAesCipher implements BodyCipher {
    private static final String TRANSFORMATION = "AES/CBC/PKCS5Padding"; // PKCS#5 == PKCS#7 for 16-byte blocks
    private static final int BLOCK = 16;

    private final ThreadLocal<Cipher> encryptor;
    private final ThreadLocal<Cipher> decryptor;

    LegacyAesCipher(byte[] key) {
        if (key.length != BLOCK) {
            throw new IllegalArgumentException("The legacy-aes key must be exactly 16 bytes, not " + key.length);
        }
        SecretKeySpec keySpec = new SecretKeySpec(key.clone(), "AES");
        IvParameterSpec iv = new IvParameterSpec(key.clone());
        encryptor = ThreadLocal.withInitial(() -> newCipher(Cipher.ENCRYPT_MODE, keySpec, iv));
        decryptor = ThreadLocal.withInitial(() -> newCipher(Cipher.DECRYPT_MODE, keySpec, iv));
        newCipher(Cipher.ENCRYPT_MODE, keySpec, iv); // fail now, not on the first packet
    }

    private static Cipher newCipher(int mode, SecretKeySpec key, IvParameterSpec iv) {
        try {
            Cipher c = Cipher.getInstance(TRANSFORMATION);
            c.init(mode, key, iv);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CBC is not available in this JVM", e);
        }
    }

    @Override
    public byte[] encrypt(byte[] plain) {
        try {
            return encryptor.get().doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Encryption cannot fail with padding on", e);
        }
    }

    @Override
    public byte[] decrypt(byte[] body) throws GeneralSecurityException {
        if (body.length == 0 || body.length % BLOCK != 0) {
            throw new javax.crypto.IllegalBlockSizeException(
                    "Body length " + body.length + " is not a positive multiple of 16");
        }
        Cipher c = decryptor.get();
        try {
            return c.doFinal(body);
        } catch (GeneralSecurityException e) {
            decryptor.remove(); // never reuse a cipher whose state an exception may have left dirty
            throw e;
        }
    }

    @Override
    public String mode() {
        return LEGACY_AES;
    }
}
