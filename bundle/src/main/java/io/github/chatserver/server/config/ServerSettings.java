package io.github.chatserver.server.config;

import io.github.chatserver.codec.BodyCipher;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The validated, immutable settings the server runs with. Built from {@link ChatServerConfig}
 * in Karaf, or directly in tests. Every rule that can refuse a configuration lives here, so a
 * bad value is reported at activation with the key's name, not later by a stack trace.
 */
public record ServerSettings(
        int port,
        String bindAddress,
        Duration loginTimeout,
        Duration idleTimeout,
        int maxFrameLength,
        String cipher,
        String cipherKey,
        String redisAddress,
        String redisPassword,
        String nodeId,
        OfflinePolicy offline,
        Limits limits,
        boolean membershipCache) {

    public ServerSettings {
        require(port >= 0 && port <= 65535, "port must be within 0..65535, not " + port);
        require(bindAddress != null && !bindAddress.isBlank(), "bindAddress must not be empty");
        require(loginTimeout.toMillis() > 0, "loginTimeout must be positive");
        require(idleTimeout.toMillis() > 0, "idleTimeout must be positive");
        require(maxFrameLength >= 8, "maxFrameLength must be at least 8, not " + maxFrameLength);
        require(BodyCipher.LEGACY_AES.equals(cipher) || BodyCipher.NONE.equals(cipher),
                "cipher must be legacy-aes or none, not '" + cipher + "'");
        require(!BodyCipher.LEGACY_AES.equals(cipher) || cipherKey != null && cipherKey.length() == 16
                        && cipherKey.chars().allMatch(c -> c > 0x20 && c < 0x7f),
                "cipherKey must be 16 printable ASCII characters for legacy-aes");
        require(redisAddress != null && validRedisUri(redisAddress),
                "redisAddress must look like redis://host:port or rediss://host:port, not '" + redisAddress + "'");
        redisPassword = redisPassword == null ? "" : redisPassword;
        nodeId = nodeId == null || nodeId.isBlank() ? generatedNodeId() : nodeId.trim();
        require(nodeId.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '|' && c != '/'),
                "nodeId must be printable ASCII without spaces, '|' or '/'");
        // The TLS listener arrives with the security issue; until then cipher none would mean clear text.
        require(!BodyCipher.NONE.equals(cipher), "cipher none is only allowed on a TLS listener, which is not configured");
    }

    /** The settings of the configuration admin PID, defaults filled in by Declarative Services. */
    public static ServerSettings from(ChatServerConfig c) {
        return new ServerSettings(c.port(), c.bindAddress(), Duration.ofSeconds(c.loginTimeout()),
                Duration.ofSeconds(c.idleTimeout()), c.maxFrameLength(), c.cipher(), c.cipherKey(),
                c.redisAddress(), c.redisPassword(), c.nodeId(),
                new OfflinePolicy(Duration.ofSeconds(c.c2cOfflineTtl()), Duration.ofSeconds(c.groupOfflineTtl()),
                        c.offlineCap(), c.pushOfflineOnLogin()),
                new Limits(c.maxTextLength(), c.maxGroupNameLength(), c.maxMembersPerGroup(), c.maxGroupsPerUser()),
                c.membershipCache());
    }

    /** The documented defaults, with the given Redis; port 0 picks a free port (tests). */
    public static ServerSettings defaults(String redisAddress) {
        return new ServerSettings(8989, "127.0.0.1", Duration.ofSeconds(60), Duration.ofSeconds(240), 8192,
                BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY, redisAddress, "", "",
                OfflinePolicy.DEFAULTS, Limits.DEFAULTS, true);
    }

    public ServerSettings withPort(int newPort) {
        return new ServerSettings(newPort, bindAddress, loginTimeout, idleTimeout, maxFrameLength, cipher,
                cipherKey, redisAddress, redisPassword, nodeId, offline, limits, membershipCache);
    }

    public ServerSettings withTimeouts(Duration newLoginTimeout, Duration newIdleTimeout) {
        return new ServerSettings(port, bindAddress, newLoginTimeout, newIdleTimeout, maxFrameLength, cipher,
                cipherKey, redisAddress, redisPassword, nodeId, offline, limits, membershipCache);
    }

    public ServerSettings withOffline(OfflinePolicy newOffline) {
        return new ServerSettings(port, bindAddress, loginTimeout, idleTimeout, maxFrameLength, cipher,
                cipherKey, redisAddress, redisPassword, nodeId, newOffline, limits, membershipCache);
    }

    public ServerSettings withLimits(Limits newLimits) {
        return new ServerSettings(port, bindAddress, loginTimeout, idleTimeout, maxFrameLength, cipher,
                cipherKey, redisAddress, redisPassword, nodeId, offline, newLimits, membershipCache);
    }

    public ServerSettings withMembershipCache(boolean enabled) {
        return new ServerSettings(port, bindAddress, loginTimeout, idleTimeout, maxFrameLength, cipher,
                cipherKey, redisAddress, redisPassword, nodeId, offline, limits, enabled);
    }

    public BodyCipher bodyCipher() {
        return BodyCipher.forMode(cipher, cipherKey);
    }

    private static boolean validRedisUri(String address) {
        try {
            URI uri = URI.create(address);
            return ("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))
                    && uri.getHost() != null && uri.getPort() > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String generatedNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        byte[] suffix = new byte[3];
        new SecureRandom().nextBytes(suffix);
        return host + "-" + HexFormat.of().formatHex(suffix);
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("Invalid " + ChatServerConfig.PID + " configuration: " + message);
        }
    }
}
