package io.github.chatserver.server.admin;

import io.github.chatserver.server.auth.PasswordHasher;
import io.github.chatserver.server.auth.TokenMinter;
import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.handler.UuidRule;
import io.github.chatserver.server.session.SessionRegistry;
import io.github.chatserver.server.storage.UserStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user half of {@link ChatAdmin} on a {@link UserStore}: plain Java, so tests use it without OSGi. Passwords
 * are hashed on the caller's thread (the console's, never the server's I/O threads) and never logged.
 */
public final class UserAdmin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UserAdmin.class);
    public static final int MIN_PASSWORD_LENGTH = 8;
    public static final int MAX_PASSWORD_LENGTH = 1024;
    public static final long MAX_TOKEN_TTL_SECONDS = Duration.ofDays(366).toSeconds();
    /** The secret length AuthSettings requires for authMode token. */
    static final int MIN_SECRET_LENGTH = 32;
    private static final long REDIS_WAIT_SECONDS = 5;

    private final AuthSettings auth;
    private final int maxUuidLength;
    private final Supplier<UserStore> users;
    private final Supplier<SessionRegistry> sessions;
    private final PasswordHasher hasher;
    private final AutoCloseable connection;

    /**
     * @param users the store (tests pass one on their own Redis client)
     * @param sessions this node's logged-in sessions, or {@code null} from the supplier when none
     */
    public UserAdmin(AuthSettings auth, int maxUuidLength, Supplier<UserStore> users, Supplier<SessionRegistry> sessions) {
        this(auth, maxUuidLength, users, sessions, () -> { });
    }

    private UserAdmin(AuthSettings auth, int maxUuidLength, Supplier<UserStore> users, Supplier<SessionRegistry> sessions,
                      AutoCloseable connection) {
        this.auth = auth;
        this.maxUuidLength = maxUuidLength;
        this.users = users;
        this.sessions = sessions;
        this.hasher = new PasswordHasher(auth.passwordIterations());
        this.connection = connection;
    }

    /**
     * The admin of a running server, on a small Redis connection of its own, opened by the first
     * command that needs it and closed by {@link #close()}.
     */
    public static UserAdmin connecting(ServerSettings settings, Supplier<SessionRegistry> sessions) {
        AdminConnection connection = new AdminConnection(settings);
        return new UserAdmin(settings.auth(), settings.limits().maxUuidLength(), connection, sessions, connection);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (Exception e) {
            LOG.warn("Could not close the console's Redis connection: {}", e.toString());
        }
    }

    public String authMode() {
        return auth.mode();
    }

    public void addUser(String uuid, char[] password) {
        requireUuid(uuid);
        requirePassword(password);
        if (!await(users.get().register(uuid, hasher.hash(password)))) {
            throw new IllegalArgumentException("User '" + uuid + "' already exists; chat:user-passwd changes its password");
        }
        LOG.info("User '{}' added", uuid);
    }

    public void changePassword(String uuid, char[] password) {
        requireUuid(uuid);
        requirePassword(password);
        if (!await(users.get().changePassword(uuid, hasher.hash(password)))) {
            throw new IllegalArgumentException("No such user '" + uuid + "'");
        }
        LOG.info("Password of user '{}' changed", uuid);
    }

    public void removeUser(String uuid) {
        requireUuid(uuid);
        if (!await(users.get().remove(uuid))) {
            throw new IllegalArgumentException("No such user '" + uuid + "'");
        }
        SessionRegistry registry = sessions.get();
        IoSession session = registry == null ? null : registry.find(uuid).orElse(null);
        if (session != null) {
            session.closeNow();
        }
        LOG.info("User '{}' removed{}", uuid, session == null ? "" : "; its session on this node was closed");
    }

    public String mintToken(String uuid, long ttlSeconds) {
        requireUuid(uuid);
        if (ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
            throw new IllegalArgumentException("ttl-seconds must be within 1.." + MAX_TOKEN_TTL_SECONDS + ", not " + ttlSeconds);
        }
        if (auth.tokenSecret().length() < MIN_SECRET_LENGTH) {
            throw new IllegalStateException("tokenSecret is not set (at least " + MIN_SECRET_LENGTH
                    + " characters in io.github.chatserver.cfg): no token can be signed");
        }
        return TokenMinter.mint(auth.tokenSecret(), uuid, System.currentTimeMillis() / 1000 + ttlSeconds);
    }

    public List<String> users(String prefix, int max) {
        return users.get().registered(prefix == null ? "" : prefix, max);
    }

    private void requireUuid(String uuid) {
        UuidRule.require(uuid, maxUuidLength);
    }

    private static void requirePassword(char[] password) {
        if (password == null || password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("A password needs " + MIN_PASSWORD_LENGTH + " to "
                    + MAX_PASSWORD_LENGTH + " characters");
        }
    }

    private static <T> T await(CompletionStage<T> operation) {
        try {
            return operation.toCompletableFuture().get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("Redis is unavailable: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Redis", e);
        }
    }
}
