package io.github.chatserver.server.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RMap;
import org.redisson.api.RSet;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The users the server knows, in Redis, as strings only:
 * <ul>
 * <li>{@code chat:users}: a hash, uuid -> password hash ({@code pbkdf2-sha256$iterations$salt$hash}),
 *     the users registered by the operator (authMode {@code password});</li>
 * <li>{@code chat:known-users}: a set of the uuids that have logged in successfully at least once
 *     (authMode {@code token}, where the application backend, not this server, knows the users).</li>
 * </ul>
 * Never a password in clear.
 */
public final class UserStore {
    static final String USERS_KEY = "chat:users";
    static final String KNOWN_KEY = "chat:known-users";

    private final RMap<String, String> users;
    private final RSet<String> known;

    public UserStore(RedissonClient redisson) {
        this.users = redisson.getMap(USERS_KEY, StringCodec.INSTANCE);
        this.known = redisson.getSet(KNOWN_KEY, StringCodec.INSTANCE);
    }

    /** The stored password hash of a registered user, or {@code null}. */
    public CompletionStage<String> passwordHash(String uuid) {
        return users.getAsync(uuid);
    }

    /** Registers a user; false (and nothing changed) if the uuid is already registered. */
    public CompletionStage<Boolean> register(String uuid, String passwordHash) {
        return users.fastPutIfAbsentAsync(uuid, passwordHash);
    }

    /** Replaces the password hash of a registered user; false if there is no such user. */
    public CompletionStage<Boolean> changePassword(String uuid, String passwordHash) {
        return users.replaceAsync(uuid, passwordHash).thenApply(previous -> previous != null);
    }

    /** Replaces the hash only if it is still {@code expected} (a re-hash must not undo a password change). */
    public CompletionStage<Boolean> upgradeHash(String uuid, String expected, String passwordHash) {
        return users.replaceAsync(uuid, expected, passwordHash);
    }

    /** Removes the user's registration and forgets that it ever logged in; true if there was either. */
    public CompletionStage<Boolean> remove(String uuid) {
        CompletionStage<Long> registration = users.fastRemoveAsync(uuid);
        CompletionStage<Boolean> knownEntry = known.removeAsync(uuid);
        return registration.thenCombine(knownEntry, (removed, forgotten) -> removed > 0 || forgotten);
    }

    public CompletionStage<Boolean> isRegistered(String uuid) {
        return users.containsKeyAsync(uuid);
    }

    /** Records a successful login (authMode token); true if the user was new. */
    public CompletionStage<Boolean> markKnown(String uuid) {
        return known.addAsync(uuid);
    }

    public CompletionStage<Boolean> isKnown(String uuid) {
        return known.containsAsync(uuid);
    }

    /**
     * Up to {@code max} registered uuids starting with {@code prefix} (console completion). Blocking:
     * for the console only, never for the server's threads.
     */
    public List<String> registered(String prefix, int max) {
        List<String> found = new ArrayList<>();
        for (String uuid : users.keySet(globEscape(prefix) + "*", 100)) {
            found.add(uuid);
            if (found.size() >= max) {
                break;
            }
        }
        return found;
    }

    /** Makes a literal prefix for a Redis glob pattern. */
    static String globEscape(String literal) {
        StringBuilder out = new StringBuilder(literal.length());
        for (char c : literal.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
