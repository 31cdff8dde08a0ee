package io.github.chatserver.server.config;

/** Size limits on what clients send; each one is refused with a clear reason. */
public record Limits(int maxTextLength, int maxGroupNameLength, int maxMembersPerGroup, int maxGroupsPerUser,
                     int maxUuidLength) {
    public static final Limits DEFAULTS = new Limits(2048, 64, 2000, 200, 128);

    public Limits {
        ServerSettings.require(maxTextLength >= 1, "maxTextLength must be at least 1");
        ServerSettings.require(maxGroupNameLength >= 1, "maxGroupNameLength must be at least 1");
        ServerSettings.require(maxMembersPerGroup >= 2, "maxMembersPerGroup must be at least 2");
        ServerSettings.require(maxGroupsPerUser >= 1, "maxGroupsPerUser must be at least 1");
        ServerSettings.require(maxUuidLength >= 1 && maxUuidLength <= 1024, "maxUuidLength must be within 1..1024");
    }
}
