package io.github.chatserver.server.auth;

import io.github.chatserver.server.config.AuthSettings;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted slow password hashes: PBKDF2-HMAC-SHA256 with a 16-byte random salt, stored as the
 * self-describing string {@code pbkdf2-sha256$iterations$salt$hash} (salt and hash in base64
 * without padding), so the iteration count of each stored hash is known and can be raised later.
 * One hash costs about 50-100 ms of CPU at 210,000 iterations: never call this on a MINA I/O
 * thread or a Redis thread (see {@link HashingExecutor}).
 */
public final class PasswordHasher {
    public static final String ALGORITHM = "pbkdf2-sha256";
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    /** A stored hash asking for more is refused: a tampered record must not cost minutes of CPU. */
    static final int MAX_ITERATIONS = AuthSettings.MAX_ITERATIONS;
    private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private final int iterations;
    private final SecureRandom random = new SecureRandom();
    private volatile String dummy;

    /** @param iterations for new hashes; at least {@link AuthSettings#MIN_ITERATIONS} */
    public PasswordHasher(int iterations) {
        if (iterations < AuthSettings.MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be within " + AuthSettings.MIN_ITERATIONS
                    + ".." + MAX_ITERATIONS + ", not " + iterations);
        }
        this.iterations = iterations;
    }

    public int iterations() {
        return iterations;
    }

    /** A new hash of the password, with a fresh random salt. */
    public String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return format(iterations, salt, derive(password, salt, iterations));
    }

    /**
     * Whether the password matches the stored hash. {@code stored == null} (no such user) and a
     * malformed stored string cost the same work as a real check, against a dummy hash, and answer
     * false: the time taken does not tell whether a user exists.
     */
    public boolean verify(char[] password, String stored) {
        Parsed parsed = stored == null ? null : Parsed.of(stored);
        if (parsed == null) {
            Parsed fake = Parsed.of(dummyHash());
            MessageDigest.isEqual(derive(password, fake.salt, fake.iterations), fake.hash);
            return false;
        }
        return MessageDigest.isEqual(derive(password, parsed.salt, parsed.iterations), parsed.hash);
    }

    /** True if the stored hash is well formed and was made with fewer iterations than configured now. */
    public boolean needsRehash(String stored) {
        Parsed parsed = Parsed.of(stored);
        return parsed != null && parsed.iterations < iterations;
    }

    /** True if the string is a hash this class can check. */
    public static boolean isWellFormed(String stored) {
        return stored != null && Parsed.of(stored) != null;
    }

    /** The iteration count written in a stored hash, or -1 if it is malformed. */
    public static int iterationsOf(String stored) {
        Parsed parsed = stored == null ? null : Parsed.of(stored);
        return parsed == null ? -1 : parsed.iterations;
    }

    /** Made once, on first need, with the configured iterations (so its check costs what a real one does). */
    private String dummyHash() {
        String d = dummy;
        if (d == null) {
            synchronized (this) {
                d = dummy;
                if (d == null) {
                    d = hash("no such user".toCharArray());
                    dummy = d;
                }
            }
        }
        return d;
    }

    private static String format(int iterations, byte[] salt, byte[] hash) {
        return ALGORITHM + "$" + iterations + "$" + ENCODER.encodeToString(salt) + "$" + ENCODER.encodeToString(hash);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** The parts of a stored hash; {@code of} answers null for anything malformed. */
    private record Parsed(int iterations, byte[] salt, byte[] hash) {
        static Parsed of(String stored) {
            String[] parts = stored.split("\\$", -1);
            if (parts.length != 4 || !ALGORITHM.equals(parts[0]) || !isDigits(parts[1], 8)) {
                return null;
            }
            int iterations = Integer.parseInt(parts[1]);
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                return null;
            }
            try {
                byte[] salt = DECODER.decode(parts[2]);
                byte[] hash = DECODER.decode(parts[3]);
                if (salt.length < SALT_BYTES || hash.length != HASH_BYTES) {
                    return null;
                }
                return new Parsed(iterations, salt, hash);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        private static boolean isDigits(String s, int maxLength) {
            return !s.isEmpty() && s.length() <= maxLength && s.chars().allMatch(c -> c >= '0' && c <= '9');
        }
    }
}
