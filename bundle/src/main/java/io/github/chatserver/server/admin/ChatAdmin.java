package io.github.chatserver.server.admin;

import java.util.List;

/**
 * What the operator can do to the users of the running chat server, as an OSGi service (the
 * {@code chat:} console commands use it). Every method blocks for at most a few seconds on Redis.
 * Refusals (a malformed uuid, a weak password, an existing or unknown user) are
 * {@link IllegalArgumentException}s whose message can be shown as it is; an unreachable Redis or a
 * server without a valid configuration is an {@link IllegalStateException}.
 */
public interface ChatAdmin {

    /** The configured authMode: open, password or token. */
    String authMode();

    /** Registers a user with a password (hashed here; never stored in clear). */
    void addUser(String uuid, char[] password);

    /** Sets a new password for a registered user. */
    void changePassword(String uuid, char[] password);

    /**
     * Removes a user: its registration, its "has logged in" mark (token mode), and its session on
     * this node, which is closed. Messages to it are refused from then on (within 30 s on other nodes).
     */
    void removeUser(String uuid);

    /** A login token for the user, valid for {@code ttlSeconds} from now (needs tokenSecret). */
    String mintToken(String uuid, long ttlSeconds);

    /** Up to {@code max} registered uuids starting with {@code prefix} (completion). */
    List<String> users(String prefix, int max);
}
