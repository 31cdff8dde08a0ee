package io.github.chatserver.server.handler;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.session.SessionRegistry;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.storage.RedisStore;
import java.util.concurrent.ScheduledExecutorService;

/** What the packet handlers of one running server share. */
public record ServerContext(
        ServerSettings settings,
        BodyCipher cipher,
        RedisStore store,
        SessionRegistry sessions,
        ServerStats stats,
        ScheduledExecutorService timers) {

    /**
     * Encodes and encrypts a packet once, for writing to many sessions. {@code cipher} is the
     * first listener's; a session of a listener with another cipher gets the frame re-encrypted
     * once from the plain body by its codec ({@code EncodedFrame.in}).
     */
    public EncodedFrame encodeOnce(Packet packet) {
        return EncodedFrame.of(packet, cipher);
    }

    /** Server time for everything sent: Unix seconds (PROTOCOL.md section 3). */
    public static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
