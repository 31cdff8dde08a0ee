package io.github.chatserver.server.config;

import java.time.Duration;

/**
 * Overload protection: how many connections, how fast they may come from one address (a token
 * bucket per address: {@code connectionBurstPerAddress} at once, then {@code
 * connectionsPerSecondPerAddress}), how fast a session may send (token buckets; over the limit
 * its reads are suspended, and if that lasts longer than {@code throttleGrace} it is closed), how
 * much may wait to be written to a slow reader before it is closed (once its queue is written,
 * or after {@code throttleGrace}), and how many messages are kept for retry while Redis is
 * unreachable. Enforced by the filters of {@code server/transport}.
 */
public record OverloadSettings(int maxConnections, int maxConnectionsPerAddress, int connectionsPerSecondPerAddress,
                               int connectionBurstPerAddress, int packetsPerSecond, int bytesPerSecond,
                               Duration throttleGrace, long maxQueuedOutboundBytes, int storageRetryBuffer) {
    /**
     * One address may hold a tenth of the server and reconnect all of it at once: an office or a
     * carrier-grade NAT whose users all come back together after a server restart. The burst
     * equals the per-address cap so that such a storm is never cut by the rate; after it, 50 new
     * connections a second.
     */
    public static final OverloadSettings DEFAULTS = new OverloadSettings(20_000, 2_000, 50, 2_000, 200, 262_144,
            Duration.ofSeconds(10), 4L * 1024 * 1024, 100_000);

    public OverloadSettings {
        ServerSettings.require(maxConnections >= 1, "maxConnections must be at least 1");
        ServerSettings.require(maxConnectionsPerAddress >= 1, "maxConnectionsPerAddress must be at least 1");
        ServerSettings.require(connectionsPerSecondPerAddress >= 1, "connectionsPerSecondPerAddress must be at least 1");
        ServerSettings.require(connectionBurstPerAddress >= 1, "connectionBurstPerAddress must be at least 1");
        ServerSettings.require(packetsPerSecond >= 1, "packetsPerSecond must be at least 1");
        ServerSettings.require(bytesPerSecond >= 8192, "bytesPerSecond must be at least 8192");
        ServerSettings.require(!throttleGrace.isNegative(), "throttleGrace must not be negative");
        ServerSettings.require(maxQueuedOutboundBytes >= 65_536, "maxQueuedOutboundBytes must be at least 65536");
        ServerSettings.require(storageRetryBuffer >= 0, "storageRetryBuffer must not be negative");
    }
}
