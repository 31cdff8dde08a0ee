package io.github.chatserver.server.auth;

import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.storage.UserStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.mina.core.service.IoService;

/**
 * Decides whether a login proves its user (docs/PROTOCOL.md §4, the configured {@code authMode}).
 * Never blocks the calling thread: slow work (a password hash) runs on a {@link HashingExecutor}.
 */
public interface Authenticator {

    /** The decision on one login; {@code detail} says why, for the server's log only. */
    record Verdict(boolean accepted, String detail) {
        public static final Verdict ACCEPTED = new Verdict(true, "accepted");

        public static Verdict rejected(String detail) {
            return new Verdict(false, detail);
        }
    }

    /**
     * Checks login field 4 for the user of field 1. Completes with the verdict; exceptionally with
     * {@link java.util.concurrent.RejectedExecutionException} when too many checks wait (busy),
     * {@link java.util.concurrent.CancellationException} when {@code stillWanted} turned false
     * before the work started (the client left), or any other exception when Redis failed.
     */
    CompletionStage<Verdict> authenticate(String uuid, String credential, BooleanSupplier stillWanted);

    /** Runs after an accepted check and before the login is answered (e.g. records the user as known). */
    default CompletionStage<?> admitted(String uuid) {
        return CompletableFuture.completedFuture(null);
    }

    /** Ties the authenticator's resources (threads) to the life of the listener. */
    default void followLifeOf(IoService service) {
    }

    /** The authenticator of the configured mode. */
    static Authenticator forSettings(AuthSettings settings, UserStore users) {
        return switch (settings.mode()) {
            case AuthSettings.OPEN -> (uuid, credential, stillWanted) -> CompletableFuture.completedFuture(Verdict.ACCEPTED);
            case AuthSettings.PASSWORD -> new PasswordAuthenticator(users, new PasswordHasher(settings.passwordIterations()),
                    HashingExecutor.withDefaults());
            case AuthSettings.TOKEN -> new TokenAuthenticator(users, new TokenVerifier(settings.tokenSecret()));
            default -> throw new IllegalArgumentException("Unknown authMode " + settings.mode());
        };
    }
}
