package io.github.chatserver.server.config;

import java.time.Duration;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthSettingsTest {
    private static final Duration D = Duration.ofMillis(250);
    private static final Duration MAX = Duration.ofSeconds(5);

    private static String refusal(String mode, String secret, int iterations, Duration delay, Duration max) {
        return assertThrows(IllegalArgumentException.class,
                () -> new AuthSettings(mode, secret, iterations, delay, max)).getMessage();
    }

    @Test
    void tokenModeNeedsASecretOfAtLeast32Characters() {
        assertTrue(refusal("token", "", 210_000, D, MAX).contains("tokenSecret"));
        assertTrue(refusal("token", null, 210_000, D, MAX).contains("tokenSecret"));
        assertTrue(refusal("token", "x".repeat(31), 210_000, D, MAX).contains("tokenSecret"));
        assertDoesNotThrow(() -> new AuthSettings("token", "x".repeat(32), 210_000, D, MAX));
        assertDoesNotThrow(() -> new AuthSettings("password", "", 210_000, D, MAX), "only token mode needs it");
    }

    @Test
    void otherRefusals() {
        assertTrue(refusal("ldap", "", 210_000, D, MAX).contains("authMode"));
        assertTrue(refusal("password", "", 209_999, D, MAX).contains("passwordIterations"));
        assertTrue(refusal("password", "", AuthSettings.MAX_ITERATIONS + 1, D, MAX).contains("passwordIterations"));
        assertTrue(refusal("password", "", 210_000, Duration.ofMillis(-1), MAX).contains("loginFailureDelay"));
        assertTrue(refusal("password", "", 210_000, MAX, D).contains("loginFailureMaxDelay"));
    }
}
