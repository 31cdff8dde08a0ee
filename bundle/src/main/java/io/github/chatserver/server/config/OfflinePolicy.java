package io.github.chatserver.server.config;

import java.time.Duration;

/**
 * How messages for offline users are kept: each message expires on its own after the TTL of
 * its kind, and a user's queue of one kind holds at most {@code cap} messages.
 */
public record OfflinePolicy(Duration c2cTtl, Duration groupTtl, int cap, boolean pushOnLogin) {
    /** The original server's values: 7 days for one-to-one, 7 hours for group messages. */
    public static final OfflinePolicy DEFAULTS = new OfflinePolicy(Duration.ofDays(7), Duration.ofHours(7), 10_000, false);

    public OfflinePolicy {
        ServerSettings.require(c2cTtl.toMillis() >= 1000, "c2cOfflineTtl must be at least 1 second");
        ServerSettings.require(groupTtl.toMillis() >= 1000, "groupOfflineTtl must be at least 1 second");
        ServerSettings.require(cap >= 1, "offlineCap must be at least 1");
    }
}
