package io.github.chatserver.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds wire bytes by hand, independently of the main code: the header is written byte by
 * byte, and the legacy-aes body is produced with javax.crypto directly (docs/PROTOCOL.md §2).
 */
final class FrameBytes {
    /** The original clients' key, which is also the IV. */
    static final byte[] KEY = "12345abcdef67890".getBytes(StandardCharsets.US_ASCII);

    private FrameBytes() {
    }

    /** The 8-byte header: both fields big-endian uint32, written by hand. */
    static byte[] header(long length, long type) {
        return new byte[] {
            (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length,
            (byte) (type >>> 24), (byte) (type >>> 16), (byte) (type >>> 8), (byte) type,
        };
    }

    /** A complete frame whose length field is 8 + body.length. */
    static byte[] frame(long type, byte[] body) {
        return concat(header(8L + body.length, type), body);
    }

    /** A frame whose body is {@code plain} encrypted the legacy-aes way. */
    static byte[] aesFrame(long type, byte[] plain) {
        return frame(type, aesEncrypt(plain));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Hex to bytes; spaces are ignored so vectors can be grouped by field. */
    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().withUpperCase().formatHex(bytes);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] aesEncrypt(byte[] plain) {
        try {
            return cipher("AES/CBC/PKCS5Padding", Cipher.ENCRYPT_MODE).doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] aesDecrypt(byte[] body) throws GeneralSecurityException {
        return cipher("AES/CBC/PKCS5Padding", Cipher.DECRYPT_MODE).doFinal(body);
    }

    /** AES-CBC without padding: lets a test choose the exact last plaintext block. */
    static byte[] aesEncryptNoPadding(byte[] plainMultipleOf16) {
        try {
            return cipher("AES/CBC/NoPadding", Cipher.ENCRYPT_MODE).doFinal(plainMultipleOf16);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static Cipher cipher(String transformation, int mode) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance(transformation);
        c.init(mode, new SecretKeySpec(KEY, "AES"), new IvParameterSpec(KEY));
        return c;
    }

    static byte[] slice(byte[] bytes, int from, int to) {
        byte[] out = new byte[to - from];
        System.arraycopy(bytes, from, out, 0, out.length);
        return out;
    }
}
