package io.github.chatserver.server.auth;

import io.github.chatserver.server.config.AuthSettings;
import java.util.Base64;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(AuthSettings.MIN_ITERATIONS);

    @Test
    void aHashVerifiesItsPasswordAndNoOther() {
        String stored = hasher.hash("correct horse".toCharArray());

        assertTrue(hasher.verify("correct horse".toCharArray(), stored));
        assertFalse(hasher.verify("correct horsE".toCharArray(), stored));
        assertFalse(hasher.verify("".toCharArray(), stored));
    }

    @Test
    void theStoredFormIsSelfDescribingWithARandomSaltAndNoClearText() {
        String first = hasher.hash("secret-pw".toCharArray());
        String second = hasher.hash("secret-pw".toCharArray());

        String[] parts = first.split("\\$");
        assertEquals(4, parts.length, first);
        assertEquals("pbkdf2-sha256", parts[0]);
        assertEquals(String.valueOf(AuthSettings.MIN_ITERATIONS), parts[1]);
        assertTrue(Base64.getDecoder().decode(parts[2]).length >= 16, "salt of 16+ bytes");
        assertEquals(32, Base64.getDecoder().decode(parts[3]).length);
        assertNotEquals(first, second, "a fresh salt each time");
        assertFalse(first.contains("secret-pw"));
        assertTrue(PasswordHasher.iterationsOf(first) >= 210_000);
    }

    @Test
    void fewerThan210000IterationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(209_999));
    }

    @Test
    void aTamperedHashStringNeverVerifies() {
        String stored = hasher.hash("pw-12345".toCharArray());
        String[] parts = stored.split("\\$");
        byte[] hash = Base64.getDecoder().decode(parts[3]);
        hash[0] ^= 1;
        String flippedHash = parts[0] + "$" + parts[1] + "$" + parts[2] + "$"
                + Base64.getEncoder().withoutPadding().encodeToString(hash);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        salt[0] ^= 1;
        String flippedSalt = parts[0] + "$" + parts[1] + "$"
                + Base64.getEncoder().withoutPadding().encodeToString(salt) + "$" + parts[3];
        String otherIterations = parts[0] + "$" + (AuthSettings.MIN_ITERATIONS + 1) + "$" + parts[2] + "$" + parts[3];

        for (String tampered : new String[] {flippedHash, flippedSalt, otherIterations,
                "md5$210000$" + parts[2] + "$" + parts[3],          // unknown algorithm
                parts[0] + "$99999999999$" + parts[2] + "$" + parts[3], // absurd iterations
                parts[0] + "$" + parts[1] + "$" + parts[2],          // missing part
                stored + "$extra", "", "pw-12345"}) {
            assertFalse(hasher.verify("pw-12345".toCharArray(), tampered), tampered);
        }
        assertTrue(hasher.verify("pw-12345".toCharArray(), stored), "the original still verifies");
    }

    @Test
    void anUnknownUserCostsAboutAsMuchAsAKnownOne() {
        String stored = hasher.hash("pw-12345".toCharArray());
        hasher.verify("warm-up".toCharArray(), null); // makes the dummy hash, once
        for (int i = 0; i < 3; i++) { // JIT warm-up of PBKDF2
            hasher.verify("x".toCharArray(), stored);
        }

        long known = timeOf(() -> hasher.verify("wrong".toCharArray(), stored));
        long unknown = timeOf(() -> hasher.verify("wrong".toCharArray(), null));

        assertFalse(hasher.verify("no such user".toCharArray(), null), "the dummy's own password does not pass");
        assertTrue(unknown > known / 3 && unknown < known * 3,
                "no such user took " + unknown / 1_000_000 + " ms, a wrong password " + known / 1_000_000 + " ms");
    }

    @Test
    void aHashWithFewerIterationsThanConfiguredNeedsARehash() {
        String weaker = hasher.hash("pw-12345".toCharArray());
        PasswordHasher stronger = new PasswordHasher(AuthSettings.MIN_ITERATIONS + 10_000);

        assertTrue(stronger.needsRehash(weaker));
        assertFalse(hasher.needsRehash(weaker));
        assertTrue(stronger.verify("pw-12345".toCharArray(), weaker), "old hashes keep working");
    }

    private static long timeOf(Runnable r) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            r.run();
            best = Math.min(best, System.nanoTime() - start);
        }
        return best;
    }
}
