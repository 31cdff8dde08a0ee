package io.github.chatserver.server.config;

import java.time.Duration;
import java.util.Set;

/**
 * How logins are checked (docs/PROTOCOL.md §4): {@code open} takes any well-formed uuid,
 * {@code password} checks field 4 against a salted slow hash of a registered user, {@code token}
 * checks field 4 as an HMAC-signed token with an expiry. Failed logins from one address are
 * answered ever later: {@code failureDelay} doubled per recent failure, up to {@code maxFailureDelay}.
 */
public record AuthSettings(String mode, String tokenSecret, int passwordIterations,
                           Duration failureDelay, Duration maxFailureDelay) {
    public static final String OPEN = "open";
    public static final String PASSWORD = "password";
    public static final String TOKEN = "token";
    /** OWASP's 2023 floor for PBKDF2-HMAC-SHA256. */
    public static final int MIN_ITERATIONS = 210_000;
    /** About 2.5 s of CPU per login here: more is a typo, and would let a few logins stall the hashing threads. */
    public static final int MAX_ITERATIONS = 10_000_000;

    public static final AuthSettings DEFAULTS = new AuthSettings(OPEN, "", MIN_ITERATIONS,
            Duration.ofMillis(250), Duration.ofSeconds(5));

    public AuthSettings {
        ServerSettings.require(Set.of(OPEN, PASSWORD, TOKEN).contains(mode),
                "authMode must be open, password or token, not '" + mode + "'");
        tokenSecret = tokenSecret == null ? "" : tokenSecret;
        // No default secret: a token server with a guessable secret would let anyone in.
        ServerSettings.require(!TOKEN.equals(mode) || tokenSecret.length() >= 32,
                "authMode token needs tokenSecret set to at least 32 characters; there is no default");
        ServerSettings.require(passwordIterations >= MIN_ITERATIONS && passwordIterations <= MAX_ITERATIONS,
                "passwordIterations must be within " + MIN_ITERATIONS + ".." + MAX_ITERATIONS + ", not " + passwordIterations);
        ServerSettings.require(!failureDelay.isNegative() && maxFailureDelay.compareTo(failureDelay) >= 0,
                "loginFailureDelay must be >= 0 and loginFailureMaxDelay >= loginFailureDelay");
    }

    public boolean open() {
        return OPEN.equals(mode);
    }

    /** Never shows the secret (settings end up in logs). */
    @Override
    public String toString() {
        return "AuthSettings[mode=" + mode + ", tokenSecret=" + (tokenSecret.isEmpty() ? "(none)" : "(set)")
                + ", passwordIterations=" + passwordIterations + ", failureDelay=" + failureDelay
                + ", maxFailureDelay=" + maxFailureDelay + "]";
    }
}
