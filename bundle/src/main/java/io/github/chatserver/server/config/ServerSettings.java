package io.github.chatserver.server.config;

import io.github.chatserver.codec.BodyCipher;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

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
        int ioThreads,
        String cipher,
        String cipherKey,
        String redisAddress,
        String redisPassword,
        String redisConfig,
        String nodeId,
        Duration nodeLeaseTimeout,
        OfflinePolicy offline,
        Limits limits,
        boolean membershipCache,
        AuthSettings auth,
        TlsSettings tls,
        OverloadSettings overload) {

    /** Default of {@code nodeLeaseTimeout}: a dead node's users count as offline at most this long after its crash. */
    public static final Duration DEFAULT_NODE_LEASE_TIMEOUT = Duration.ofSeconds(15);
    /** Shorter leases would be renewed more often than a loaded Redis answers reliably. */
    static final Duration MIN_NODE_LEASE_TIMEOUT = Duration.ofSeconds(1);

    public ServerSettings {
        require(port >= 0 && port <= 65535, "port must be within 0..65535, not " + port);
        require(bindAddress != null && !bindAddress.isBlank(), "bindAddress must not be empty");
        require(loginTimeout.toMillis() > 0, "loginTimeout must be positive");
        require(idleTimeout.toMillis() > 0, "idleTimeout must be positive");
        require(maxFrameLength >= 8, "maxFrameLength must be at least 8, not " + maxFrameLength);
        require(ioThreads >= 0 && ioThreads <= 256, "ioThreads must be within 0..256 (0: one per CPU core), not " + ioThreads);
        require(BodyCipher.LEGACY_AES.equals(cipher) || BodyCipher.NONE.equals(cipher),
                "cipher must be legacy-aes or none, not '" + cipher + "'");
        require(BodyCipher.LEGACY_AES.equals(tls.cipher()) || BodyCipher.NONE.equals(tls.cipher()),
                "tlsCipher must be legacy-aes or none, not '" + tls.cipher() + "'");
        require(!usesLegacyAes(cipher, tls) || cipherKey != null && cipherKey.length() == 16
                        && cipherKey.chars().allMatch(c -> c > 0x20 && c < 0x7f),
                "cipherKey must be 16 printable ASCII characters for legacy-aes");
        require(redisAddress != null && validRedisUri(redisAddress),
                "redisAddress must look like redis://host:port or rediss://host:port, not '" + redisAddress + "'");
        redisPassword = redisPassword == null ? "" : redisPassword;
        redisConfig = redisConfig == null ? "" : redisConfig.strip(); // read (and checked) when connecting: RedisClientConfig
        nodeId = nodeId == null || nodeId.isBlank() ? generatedNodeId() : nodeId.trim();
        require(nodeId.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '|' && c != '/'),
                "nodeId must be printable ASCII without spaces, '|' or '/'");
        require(nodeLeaseTimeout != null && nodeLeaseTimeout.toMillis() >= MIN_NODE_LEASE_TIMEOUT.toMillis(),
                "nodeLeaseTimeout must be at least " + MIN_NODE_LEASE_TIMEOUT.toMillis() + " ms, not "
                        + (nodeLeaseTimeout == null ? null : nodeLeaseTimeout.toMillis()));
        // docs/PROTOCOL.md §2: plain bodies only where TLS protects them.
        require(!BodyCipher.NONE.equals(cipher) || TlsSettings.ONLY.equals(tls.mode()),
                "cipher none is only allowed on a TLS listener (tls=only); use tlsCipher for the TLS listener");
        require(!TlsSettings.SEPARATE.equals(tls.mode()) || tls.port() != port || port == 0,
                "tlsPort must differ from port when tls=separate");
    }

    private static boolean usesLegacyAes(String cipher, TlsSettings tls) {
        return BodyCipher.LEGACY_AES.equals(cipher) || tls.enabled() && BodyCipher.LEGACY_AES.equals(tls.cipher());
    }

    /** The settings of the configuration admin PID, defaults filled in by Declarative Services. */
    public static ServerSettings from(ChatServerConfig c) {
        return new ServerSettings(c.port(), c.bindAddress(), Duration.ofSeconds(c.loginTimeout()),
                Duration.ofSeconds(c.idleTimeout()), c.maxFrameLength(), c.ioThreads(), c.cipher(), c.cipherKey(),
                c.redisAddress(), c.redisPassword(), c.redisConfig(), c.nodeId(), Duration.ofMillis(c.nodeLeaseTimeout()),
                new OfflinePolicy(Duration.ofSeconds(c.c2cOfflineTtl()), Duration.ofSeconds(c.groupOfflineTtl()),
                        c.offlineCap(), c.pushOfflineOnLogin()),
                new Limits(c.maxTextLength(), c.maxGroupNameLength(), c.maxMembersPerGroup(), c.maxGroupsPerUser(),
                        c.maxUuidLength()),
                c.membershipCache(),
                new AuthSettings(c.authMode(), c.tokenSecret(), c.passwordIterations(),
                        Duration.ofMillis(c.loginFailureDelay()), Duration.ofMillis(c.loginFailureMaxDelay())),
                new TlsSettings(c.tls(), c.tlsPort(), c.tlsCipher(), c.keystorePath(), c.keystorePassword(),
                        c.keystoreType(), splitList(c.tlsProtocols())),
                new OverloadSettings(c.maxConnections(), c.maxConnectionsPerAddress(),
                        c.connectionsPerSecondPerAddress(), c.connectionBurstPerAddress(), c.packetsPerSecond(),
                        c.bytesPerSecond(), Duration.ofSeconds(c.throttleGrace()), c.maxQueuedOutboundBytes(),
                        c.storageRetryBuffer()));
    }

    /** A .cfg file gives "a,b" as one string; DS hands it over as a one-element array. */
    private static List<String> splitList(String[] values) {
        return java.util.Arrays.stream(values).flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    /** The documented defaults, with the given Redis; port 0 picks a free port (tests). */
    public static ServerSettings defaults(String redisAddress) {
        return new ServerSettings(8989, "127.0.0.1", Duration.ofSeconds(60), Duration.ofSeconds(240), 8192, 0,
                BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY, redisAddress, "", "", "", DEFAULT_NODE_LEASE_TIMEOUT,
                OfflinePolicy.DEFAULTS, Limits.DEFAULTS, true, AuthSettings.DEFAULTS, TlsSettings.DEFAULTS,
                OverloadSettings.DEFAULTS);
    }

    /**
     * Whether {@code next} can replace these settings on the running server without a rebind:
     * true when they differ only in what is read per session or per packet (loginTimeout,
     * idleTimeout, the offline policy, the limits, the login failure delays, the overload limits
     * except storageRetryBuffer). Anything the listeners or the Redis connection are built from
     * (port, bindAddress, TLS, ciphers and key, maxFrameLength, ioThreads, Redis address, password and
     * redisConfig, nodeId, nodeLeaseTimeout, membershipCache, authMode, tokenSecret, passwordIterations, storageRetryBuffer)
     * needs a restart of the listeners.
     */
    public boolean appliesInPlace(ServerSettings next) {
        return port == next.port && bindAddress.equals(next.bindAddress) && maxFrameLength == next.maxFrameLength
                && ioThreads == next.ioThreads
                && cipher.equals(next.cipher) && java.util.Objects.equals(cipherKey, next.cipherKey)
                && redisAddress.equals(next.redisAddress) && redisPassword.equals(next.redisPassword)
                && redisConfig.equals(next.redisConfig)
                && nodeId.equals(next.nodeId) && nodeLeaseTimeout.equals(next.nodeLeaseTimeout)
                && membershipCache == next.membershipCache && tls.equals(next.tls)
                && auth.mode().equals(next.auth.mode()) && auth.tokenSecret().equals(next.auth.tokenSecret())
                && auth.passwordIterations() == next.auth.passwordIterations()
                && overload.storageRetryBuffer() == next.overload.storageRetryBuffer();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public ServerSettings withPort(int newPort) {
        return toBuilder().port(newPort).build();
    }

    public ServerSettings withTimeouts(Duration newLoginTimeout, Duration newIdleTimeout) {
        return toBuilder().loginTimeout(newLoginTimeout).idleTimeout(newIdleTimeout).build();
    }

    public ServerSettings withOffline(OfflinePolicy newOffline) {
        return toBuilder().offline(newOffline).build();
    }

    public ServerSettings withLimits(Limits newLimits) {
        return toBuilder().limits(newLimits).build();
    }

    public ServerSettings withMembershipCache(boolean enabled) {
        return toBuilder().membershipCache(enabled).build();
    }

    public ServerSettings withAuth(AuthSettings newAuth) {
        return toBuilder().auth(newAuth).build();
    }

    public ServerSettings withTls(TlsSettings newTls) {
        return toBuilder().tls(newTls).build();
    }

    public ServerSettings withOverload(OverloadSettings newOverload) {
        return toBuilder().overload(newOverload).build();
    }

    /** Changes some settings of a copy; {@link #build()} validates the result. */
    public static final class Builder {
        private int port;
        private String bindAddress;
        private Duration loginTimeout;
        private Duration idleTimeout;
        private int maxFrameLength;
        private int ioThreads;
        private String cipher;
        private String cipherKey;
        private String redisAddress;
        private String redisPassword;
        private String redisConfig;
        private String nodeId;
        private Duration nodeLeaseTimeout;
        private OfflinePolicy offline;
        private Limits limits;
        private boolean membershipCache;
        private AuthSettings auth;
        private TlsSettings tls;
        private OverloadSettings overload;

        private Builder(ServerSettings s) {
            port = s.port;
            bindAddress = s.bindAddress;
            loginTimeout = s.loginTimeout;
            idleTimeout = s.idleTimeout;
            maxFrameLength = s.maxFrameLength;
            ioThreads = s.ioThreads;
            cipher = s.cipher;
            cipherKey = s.cipherKey;
            redisAddress = s.redisAddress;
            redisPassword = s.redisPassword;
            redisConfig = s.redisConfig;
            nodeId = s.nodeId;
            nodeLeaseTimeout = s.nodeLeaseTimeout;
            offline = s.offline;
            limits = s.limits;
            membershipCache = s.membershipCache;
            auth = s.auth;
            tls = s.tls;
            overload = s.overload;
        }

        public Builder port(int v) { port = v; return this; }
        public Builder bindAddress(String v) { bindAddress = v; return this; }
        public Builder loginTimeout(Duration v) { loginTimeout = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder maxFrameLength(int v) { maxFrameLength = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder cipher(String v) { cipher = v; return this; }
        public Builder cipherKey(String v) { cipherKey = v; return this; }
        public Builder redisAddress(String v) { redisAddress = v; return this; }
        public Builder redisPassword(String v) { redisPassword = v; return this; }
        public Builder redisConfig(String v) { redisConfig = v; return this; }
        public Builder nodeId(String v) { nodeId = v; return this; }
        public Builder nodeLeaseTimeout(Duration v) { nodeLeaseTimeout = v; return this; }
        public Builder offline(OfflinePolicy v) { offline = v; return this; }
        public Builder limits(Limits v) { limits = v; return this; }
        public Builder membershipCache(boolean v) { membershipCache = v; return this; }
        public Builder auth(AuthSettings v) { auth = v; return this; }
        public Builder tls(TlsSettings v) { tls = v; return this; }
        public Builder overload(OverloadSettings v) { overload = v; return this; }

        public ServerSettings build() {
            return new ServerSettings(port, bindAddress, loginTimeout, idleTimeout, maxFrameLength, ioThreads,
                    cipher, cipherKey, redisAddress, redisPassword, redisConfig, nodeId, nodeLeaseTimeout, offline, limits,
                    membershipCache, auth, tls, overload);
        }
    }

    /** What the Redis connection is made from, for logs and {@code chat:status}: the file or the address. */
    public String redisDescription() {
        return redisConfig.isEmpty() ? redisAddress : "redisConfig " + redisConfig;
    }

    /** MINA I/O processor threads per listener: {@link #ioThreads} or, when 0, one per CPU core. */
    public int ioProcessors() {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }

    /** The cipher of the plain listener. */
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
