package io.github.chatserver.codec;

import static io.github.chatserver.codec.FrameBytes.aesEncrypt;
import static io.github.chatserver.codec.FrameBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.chatserver.protocol.PacketType;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** BodyCipher.forMode, PlainBody and the legacy-aes cipher, against javax.crypto. */
class BodyCipherTest {

    @Test
    void originalClientKey() {
        assertEquals("12345abcdef67890", BodyCipher.ORIGINAL_CLIENT_KEY);
        assertEquals("legacy-aes", BodyCipher.LEGACY_AES);
        assertEquals("none", BodyCipher.NONE);
    }

    @Test
    void plainBodyRoundTrip() throws Exception {
        BodyCipher none = BodyCipher.forMode(BodyCipher.NONE, BodyCipher.ORIGINAL_CLIENT_KEY);
        assertSame(PlainBody.INSTANCE, none);
        assertEquals("none", none.mode());
        byte[] plain = Samples.of(PacketType.SERVER_RESPONSE_GROUP_INFO).toByteArray();
        byte[] body = none.encrypt(plain);
        assertArrayEquals(plain, body, "mode none sends the protobuf bytes");
        assertArrayEquals(plain, none.decrypt(body));
        assertArrayEquals(new byte[0], none.decrypt(none.encrypt(new byte[0])));
        assertArrayEquals(hex("0F"), none.decrypt(hex("0F")), "none does not judge the bytes");
    }

    @Test
    void plainModeIgnoresTheKey() {
        assertEquals("none", BodyCipher.forMode(BodyCipher.NONE, "short").mode());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 31, 32, 100})
    void legacyAesMatchesJavaxCrypto(int size) throws Exception {
        BodyCipher aes = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
        assertEquals("legacy-aes", aes.mode());
        byte[] plain = new byte[size];
        for (int i = 0; i < size; i++) {
            plain[i] = (byte) (i * 7 + 3);
        }
        byte[] expected = aesEncrypt(plain);
        assertEquals((size / 16 + 1) * 16, expected.length, "PKCS#7 always adds 1..16 bytes");

        assertArrayEquals(expected, aes.encrypt(plain));
        assertArrayEquals(plain, aes.decrypt(expected));
    }

    @Test
    void knownAnswerForAnEmptyPlaintext() throws Exception {
        // a single block of padding (16 x 0x10) XOR IV, encrypted: pins the key = IV contract
        BodyCipher aes = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
        assertEquals(hex(aesEncrypt(new byte[0])), hex(aes.encrypt(new byte[0])));
        assertArrayEquals(new byte[0], aes.decrypt(aesEncrypt(new byte[0])));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 17})
    void legacyAesRefusesBodiesThatAreNotAPositiveMultipleOf16(int size) {
        BodyCipher aes = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
        assertThrows(GeneralSecurityException.class, () -> aes.decrypt(new byte[size]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "aes", "AES", "LEGACY-AES", "legacy_aes", "tls", "None"})
    void unknownModeIsRejected(String mode) {
        assertThrows(IllegalArgumentException.class, () -> BodyCipher.forMode(mode, BodyCipher.ORIGINAL_CLIENT_KEY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12345abcdef6789", "12345abcdef678901", "12345abcdef6789012345abcdef67890"})
    void legacyAesKeyMustBe16Bytes(String key) {
        assertThrows(IllegalArgumentException.class, () -> BodyCipher.forMode(BodyCipher.LEGACY_AES, key));
    }

    /**
     * forMode documents the key as "16 ASCII characters". "12345abcdef6789\u00e9" is 16 characters
     * but 17 bytes in UTF-8; encoding it as US-ASCII silently turns the last character into '?',
     * so the server would run with a key nobody configured. It must be refused instead.
     */
    @Test
    void legacyAesKeyMustBeAscii() {
        assertThrows(IllegalArgumentException.class,
                () -> BodyCipher.forMode(BodyCipher.LEGACY_AES, "12345abcdef6789\u00e9"));
    }

    @Test
    void theCipherIsSafeToShareBetweenThreads() throws Exception {
        BodyCipher aes = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Void>> jobs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                jobs.add(() -> {
                    for (int i = 0; i < 300; i++) {
                        byte[] plain = new byte[(seed * 31 + i) % 70];
                        java.util.Arrays.fill(plain, (byte) seed);
                        byte[] body = aes.encrypt(plain);
                        assertArrayEquals(aesEncrypt(plain), body);
                        assertArrayEquals(plain, aes.decrypt(body));
                        if (i % 50 == 0) { // a failure on this thread must not spoil its next decrypt
                            assertThrows(GeneralSecurityException.class,
                                    () -> aes.decrypt(FrameBytes.aesEncryptNoPadding(new byte[16])));
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(jobs)) {
                f.get(); // rethrows any assertion failure
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
