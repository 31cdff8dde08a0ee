package io.github.chatserver.server.session;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.mina.core.session.IoSession;

/** The logged-in sessions of this node, by user: at most one per user. */
public final class SessionRegistry {
    private final Map<String, IoSession> byUser = new ConcurrentHashMap<>();

    /** Registers the session for the user and returns the session it replaces, if any. */
    public Optional<IoSession> register(String user, IoSession session) {
        IoSession previous = byUser.put(user, session);
        return previous == session ? Optional.empty() : Optional.ofNullable(previous);
    }

    /** Removes the user's entry only if it is still this session (a newer login may have replaced it). */
    public boolean unregister(String user, IoSession session) {
        return byUser.remove(user, session);
    }

    public Optional<IoSession> find(String user) {
        return Optional.ofNullable(byUser.get(user));
    }

    public int size() {
        return byUser.size();
    }

    public Collection<IoSession> all() {
        return byUser.values();
    }
}
