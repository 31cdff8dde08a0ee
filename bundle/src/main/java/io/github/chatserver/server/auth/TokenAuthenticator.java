package io.github.chatserver.server.auth;

import io.github.chatserver.server.storage.UserStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * authMode {@code token}: field 4 is an HMAC-signed token with an expiry ({@link TokenVerifier}),
 * cheap enough to check on the calling thread. A user who logged in is recorded as known, which
 * is what lets others send it messages.
 */
final class TokenAuthenticator implements Authenticator {
    private final UserStore users;
    private final TokenVerifier verifier;

    TokenAuthenticator(UserStore users, TokenVerifier verifier) {
        this.users = users;
        this.verifier = verifier;
    }

    @Override
    public CompletionStage<Verdict> authenticate(String uuid, String credential, BooleanSupplier stillWanted) {
        TokenVerifier.Outcome outcome = verifier.check(credential, uuid, System.currentTimeMillis() / 1000);
        return CompletableFuture.completedFuture(outcome == TokenVerifier.Outcome.VALID
                ? Verdict.ACCEPTED : Verdict.rejected("token " + outcome.name().toLowerCase().replace('_', ' ')));
    }

    @Override
    public CompletionStage<?> admitted(String uuid) {
        return users.markKnown(uuid);
    }
}
