package io.github.chatserver.server.auth;

import io.github.chatserver.server.storage.UserStore;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.mina.core.service.IoService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * authMode {@code password}: field 4 is checked against the user's stored PBKDF2 hash, on the
 * hashing threads. An unknown user costs the same hash work (against a dummy), so the time of the
 * answer does not tell whether a user exists. A hash made with fewer iterations than configured
 * now is replaced by a stronger one after a successful check.
 */
final class PasswordAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordAuthenticator.class);

    private final UserStore users;
    private final PasswordHasher hasher;
    private final HashingExecutor hashing;

    PasswordAuthenticator(UserStore users, PasswordHasher hasher, HashingExecutor hashing) {
        this.users = users;
        this.hasher = hasher;
        this.hashing = hashing;
    }

    @Override
    public CompletionStage<Verdict> authenticate(String uuid, String credential, BooleanSupplier stillWanted) {
        return users.passwordHash(uuid).thenApplyAsync(stored -> {
            if (!stillWanted.getAsBoolean()) {
                throw new CancellationException("the client left before its password was checked");
            }
            char[] password = credential.toCharArray();
            try {
                if (!hasher.verify(password, stored)) {
                    if (stored != null && !PasswordHasher.isWellFormed(stored)) {
                        LOG.warn("The stored password hash of '{}' is malformed; set a new password with chat:user-passwd", uuid);
                    }
                    return Verdict.rejected(stored == null ? "no such user" : "wrong password");
                }
                if (hasher.needsRehash(stored)) {
                    upgrade(uuid, stored, password);
                }
                return Verdict.ACCEPTED;
            } finally {
                Arrays.fill(password, '\0');
            }
        }, hashing);
    }

    /** Still on a hashing thread: the stronger hash costs another hash. */
    private void upgrade(String uuid, String stored, char[] password) {
        String stronger = hasher.hash(password);
        users.upgradeHash(uuid, stored, stronger).whenComplete((replaced, failure) -> {
            if (failure != null) {
                LOG.warn("Could not store a stronger password hash for '{}': {}", uuid, failure.toString());
            } else if (replaced) {
                LOG.info("Password hash of '{}' raised from {} to {} iterations", uuid,
                        PasswordHasher.iterationsOf(stored), hasher.iterations());
            }
        });
    }

    @Override
    public void followLifeOf(IoService service) {
        hashing.followLifeOf(service);
    }
}
