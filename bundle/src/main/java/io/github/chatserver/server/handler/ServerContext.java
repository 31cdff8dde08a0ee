package io.github.chatserver.server.handler;

import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.session.SessionRegistry;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.storage.RedisStore;
import java.util.concurrent.ScheduledExecutorService;

/** What the packet handlers of one running server share. */
public record ServerContext(
        ServerSettings settings,
        RedisStore store,
        SessionRegistry sessions,
        ServerStats stats,
        ScheduledExecutorService timers) {

    /** Server time for everything sent: Unix seconds (PROTOCOL.md section 3). */
    public static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
