package io.github.chatserver.server.auth;

import io.github.chatserver.server.auth.TokenVerifier.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef-test";
    private static final long NOW = 1_800_000_000L;
    private final TokenVerifier verifier = new TokenVerifier(SECRET);

    @Test
    void aMintedTokenIsValidForItsUserUntilItsExpiry() {
        String token = TokenMinter.mint(SECRET, "alice", NOW + 60);

        assertEquals(Outcome.VALID, verifier.check(token, "alice", NOW));
        assertEquals(Outcome.VALID, verifier.check(token, "alice", NOW + 59));
        assertEquals(Outcome.EXPIRED, verifier.check(token, "alice", NOW + 60));
        assertEquals(Outcome.EXPIRED, verifier.check(TokenMinter.mint(SECRET, "alice", NOW - 1), "alice", NOW));
    }

    @Test
    void theFormatIsUuidExpiryAndBase64UrlHmacOfBoth() throws Exception {
        String token = TokenMinter.mint(SECRET, "alice", 1_900_000_000L);

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal("alice.1900000000".getBytes(StandardCharsets.UTF_8)));
        assertEquals("alice.1900000000." + signature, token);
    }

    @Test
    void aTokenForAnotherUserIsRefused() {
        assertEquals(Outcome.WRONG_USER, verifier.check(TokenMinter.mint(SECRET, "alice", NOW + 60), "bob", NOW));
    }

    @Test
    void aWrongSignatureIsRefused() {
        String token = TokenMinter.mint(SECRET, "alice", NOW + 60);
        String otherSecret = TokenMinter.mint(SECRET + "x", "alice", NOW + 60);
        char last = token.charAt(token.length() - 1);
        String flipped = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
        String longerExpiry = token.replace("." + (NOW + 60) + ".", "." + (NOW + 6000) + ".");

        assertEquals(Outcome.BAD_SIGNATURE, verifier.check(otherSecret, "alice", NOW));
        assertEquals(Outcome.BAD_SIGNATURE, verifier.check(flipped, "alice", NOW));
        assertEquals(Outcome.BAD_SIGNATURE, verifier.check(longerExpiry, "alice", NOW));
    }

    @Test
    void malformedTokensAreRefused() {
        String signature = TokenMinter.sign(SECRET, "alice." + (NOW + 60));
        for (String bad : new String[] {"", "alice", "alice." + (NOW + 60), "." + (NOW + 60) + "." + signature,
                "alice.." + signature, "alice.-5." + signature, "alice.12x." + signature, "alice.+60." + signature,
                "alice." + (NOW + 60) + ".", "alice." + (NOW + 60) + "." + signature + "=",
                "alice." + (NOW + 60) + "." + signature.substring(1), "alice.1234567890123456789." + signature,
                "x".repeat(TokenVerifier.MAX_LENGTH) + "." + (NOW + 60) + "." + signature}) {
            assertEquals(Outcome.MALFORMED, verifier.check(bad, "alice", NOW), bad);
        }
        assertEquals(Outcome.MALFORMED, verifier.check(null, "alice", NOW));
    }

    @Test
    void aUuidWithDotsIsParsedFromTheRight() {
        String uuid = "alice.smith.1234567890";
        String token = TokenMinter.mint(SECRET, uuid, NOW + 60);

        assertEquals(Outcome.VALID, verifier.check(token, uuid, NOW));
        assertEquals(Outcome.WRONG_USER, verifier.check(token, "alice.smith", NOW));
        assertEquals(Outcome.WRONG_USER, verifier.check(token, "alice", NOW));
    }

    @Test
    void aUuidWithSpacesBarsAndDotsOfAnyScriptIsUnambiguous() {
        for (String uuid : new String[] {"hello, 我是一个java程序", "张 三.1800000060", "😀 smile|x.y", "a.b.c.d"}) {
            String token = TokenMinter.mint(SECRET, uuid, NOW + 60);

            assertEquals(Outcome.VALID, verifier.check(token, uuid, NOW), token);
            assertEquals(Outcome.WRONG_USER, verifier.check(token, uuid.substring(0, uuid.length() - 1), NOW), token);
        }
    }

    @Test
    void theLongestUuidOfFourByteCharactersStillFitsATokenCheck() {
        String uuid = "😀".repeat(1024); // 1024 code points, the largest maxUuidLength, 2048 UTF-16 chars
        String token = TokenMinter.mint(SECRET, uuid, NOW + 60);

        assertEquals(Outcome.VALID, verifier.check(token, uuid, NOW));
    }
}
