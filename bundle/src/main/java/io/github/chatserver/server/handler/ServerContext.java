package io.github.chatserver.server.handler;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.session.SessionRegistry;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.storage.RedisStore;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the packet handlers of one running server share. The settings are read through this
 * holder on every use, so a reconfiguration that needs no rebind ({@link
 * ServerSettings#appliesInPlace}) swaps them here while the listeners stay bound and the
 * sessions stay connected; what a session fixed when it opened (its idle time) stays as it was.
 */
public final class ServerContext {
    private volatile ServerSettings settings;
    private final BodyCipher cipher;
    private final RedisStore store;
    private final SessionRegistry sessions;
    private final ServerStats stats;
    private final ScheduledExecutorService timers;

    public ServerContext(ServerSettings settings, BodyCipher cipher, RedisStore store, SessionRegistry sessions,
                         ServerStats stats, ScheduledExecutorService timers) {
        this.settings = settings;
        this.cipher = cipher;
        this.store = store;
        this.sessions = sessions;
        this.stats = stats;
        this.timers = timers;
    }

    /** The current settings: read them at each use, do not keep them. */
    public ServerSettings settings() {
        return settings;
    }

    /** Replaces the settings; only for a change that {@link ServerSettings#appliesInPlace} allows. */
    public void replaceSettings(ServerSettings next) {
        settings = next;
    }

    public BodyCipher cipher() {
        return cipher;
    }

    public RedisStore store() {
        return store;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public ServerStats stats() {
        return stats;
    }

    public ScheduledExecutorService timers() {
        return timers;
    }

    /**
     * Encodes and encrypts a packet once, for writing to many sessions. {@code cipher} is the
     * first listener's; a session of a listener with another cipher gets the frame re-encrypted
     * once from the plain body by its codec ({@code EncodedFrame.in}).
     */
    public EncodedFrame encodeOnce(Packet packet) {
        return EncodedFrame.of(packet, cipher);
    }

    /** {@link #encodeOnce(Packet)} of a body serialized already (kept, not copied: do not change it). */
    public EncodedFrame encodeOnce(PacketType type, byte[] plainBody) {
        return EncodedFrame.of(type, plainBody, cipher);
    }

    /** Server time for everything sent: Unix seconds (docs/PROTOCOL.md §3). */
    public static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
