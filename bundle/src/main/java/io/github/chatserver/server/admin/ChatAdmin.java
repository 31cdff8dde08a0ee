package io.github.chatserver.server.admin;

import io.github.chatserver.server.storage.GroupRecord;
import java.util.List;

/**
 * What the operator can do to the users of the running chat server, and what it can see of it,
 * as an OSGi service (the {@code chat:} console commands use it). Every method blocks for at most a few seconds on Redis.
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

    /** Listeners, node, Redis reachability and latency (one PING), connections, uptime, version. */
    ServerStatus status();

    /** The logged-in sessions on this node, of {@code user} only unless it is {@code null}. */
    List<SessionInfo> sessions(String user);

    /** Up to {@code max} uuids of users logged in on this node, starting with {@code prefix} (completion). */
    List<String> onlineUsers(String prefix, int max);

    /** Closes the user's session on this node (counted as ADMIN_KICKS); false if it has none here. */
    boolean kick(String uuid);

    /** Every counter, with its rate since the previous call (the first: since the server started). */
    StatsReport stats();

    /** The groups {@code user} belongs to, with their members. */
    List<GroupRecord> groupsOf(String user);

    /** Up to {@code max} groups found by a bounded SCAN of Redis, with their members. */
    List<GroupRecord> scanGroups(int max);

    /** Up to {@code max} group ids starting with {@code prefix}, by a bounded SCAN (completion). */
    List<String> groupIds(String prefix, int max);

    /** The group, or an {@link IllegalArgumentException} if there is no such group. */
    GroupRecord group(String id);

    /** How many messages are stored for the user, and how old. */
    OfflineSummary offline(String uuid);
}
