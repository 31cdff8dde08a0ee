package io.github.chatserver.server.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The configuration of PID {@code io.github.chatserver} (file {@code etc/io.github.chatserver.cfg}).
 * Declarative Services maps each method to the property of the same name; bnd turns the
 * annotations into a metatype, which Karaf's console and web console show.
 */
@ObjectClassDefinition(id = ChatServerConfig.PID, name = "Chat server",
        description = "Listener, timeouts, cipher and Redis of the chat server")
public @interface ChatServerConfig {
    String PID = "io.github.chatserver";

    @AttributeDefinition(description = "TCP port of the chat listener", min = "1", max = "65535")
    int port() default 8989;

    @AttributeDefinition(description = "Address the listener binds to; 0.0.0.0 for every interface")
    String bindAddress() default "127.0.0.1";

    @AttributeDefinition(description = "Seconds a new connection has to log in before it is closed", min = "1")
    int loginTimeout() default 60;

    @AttributeDefinition(description = "Seconds without any packet after which a logged-in connection is closed", min = "1")
    int idleTimeout() default 240;

    @AttributeDefinition(description = "Largest accepted frame in bytes, 8-byte header included", min = "8")
    int maxFrameLength() default 8192;

    @AttributeDefinition(description = "MINA I/O threads per listener; 0 means one per CPU core (MINA's own default, one more, measured slower)",
            min = "0", max = "256")
    int ioThreads() default 0;

    @AttributeDefinition(description = "Body cipher: legacy-aes (the original clients) or none (TLS only)",
            options = {@Option(label = "legacy-aes", value = "legacy-aes"), @Option(label = "none", value = "none")})
    String cipher() default "legacy-aes";

    @AttributeDefinition(description = "The 16-character legacy-aes key (also its IV)")
    String cipherKey() default "12345abcdef67890";

    @AttributeDefinition(description = "Redis address, redis://host:port (rediss:// for TLS)")
    String redisAddress() default "redis://127.0.0.1:6379";

    @AttributeDefinition(description = "Redis password; empty for none", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD, required = false)
    String redisPassword() default "";

    @AttributeDefinition(description = "Redisson YAML file describing the Redis deployment (single, sentinel, cluster, replicated; "
            + "ACL user and password; rediss://); empty: redisAddress and redisPassword. A relative path is relative to Karaf's home",
            required = false)
    String redisConfig() default "";

    @AttributeDefinition(description = "Seconds a stored one-to-one message is kept for an offline recipient", min = "1")
    long c2cOfflineTtl() default 604_800;

    @AttributeDefinition(description = "Seconds a stored group message is kept for an offline member", min = "1")
    long groupOfflineTtl() default 25_200;

    @AttributeDefinition(description = "Most stored messages per user and kind; the oldest give way", min = "1")
    int offlineCap() default 10_000;

    @AttributeDefinition(description = "Push stored messages right after a successful login")
    boolean pushOfflineOnLogin() default false;

    @AttributeDefinition(description = "Longest text_msg accepted, in characters", min = "1")
    int maxTextLength() default 2048;

    @AttributeDefinition(description = "Longest group name accepted, in characters", min = "1")
    int maxGroupNameLength() default 64;

    @AttributeDefinition(description = "Most members of one group, the owner included", min = "2")
    int maxMembersPerGroup() default 2000;

    @AttributeDefinition(description = "Most groups one user may own or belong to", min = "1")
    int maxGroupsPerUser() default 200;

    @AttributeDefinition(description = "Keep group membership in a local cache kept coherent through Redis pub/sub")
    boolean membershipCache() default true;

    @AttributeDefinition(description = "Longest uuid accepted, in characters (Unicode code points: an emoji is one)", min = "1", max = "1024")
    int maxUuidLength() default 128;

    @AttributeDefinition(description = "Login check: open (any uuid), password (registered users), token (HMAC-signed tokens)",
            options = {@Option(label = "open", value = "open"), @Option(label = "password", value = "password"),
                    @Option(label = "token", value = "token")})
    String authMode() default "open";

    @AttributeDefinition(description = "HMAC-SHA256 secret for authMode token, at least 32 characters; no default",
            type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD, required = false)
    String tokenSecret() default "";

    @AttributeDefinition(description = "PBKDF2-HMAC-SHA256 iterations for new password hashes", min = "210000")
    int passwordIterations() default 210_000;

    @AttributeDefinition(description = "Milliseconds a failed login's answer is delayed, doubled per recent failure from the address", min = "0")
    long loginFailureDelay() default 250;

    @AttributeDefinition(description = "Longest delay of a failed login's answer, in milliseconds", min = "0")
    long loginFailureMaxDelay() default 5000;

    @AttributeDefinition(description = "TLS listener: off, separate (TLS on tlsPort too) or only (TLS on port)",
            options = {@Option(label = "off", value = "off"), @Option(label = "separate", value = "separate"),
                    @Option(label = "only", value = "only")})
    String tls() default "off";

    @AttributeDefinition(description = "Port of the TLS listener when tls=separate", min = "1", max = "65535")
    int tlsPort() default 8990;

    @AttributeDefinition(description = "Body cipher on the TLS listener: none (TLS protects the bodies) or legacy-aes",
            options = {@Option(label = "none", value = "none"), @Option(label = "legacy-aes", value = "legacy-aes")})
    String tlsCipher() default "none";

    @AttributeDefinition(description = "Keystore with the server's key and certificate (TLS)", required = false)
    String keystorePath() default "";

    @AttributeDefinition(description = "Password of the keystore", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD, required = false)
    String keystorePassword() default "";

    @AttributeDefinition(description = "Keystore type: PKCS12 or JKS")
    String keystoreType() default "PKCS12";

    @AttributeDefinition(description = "TLS protocol versions offered")
    String[] tlsProtocols() default {"TLSv1.3", "TLSv1.2"};

    @AttributeDefinition(description = "Most connections the server holds at once", min = "1")
    int maxConnections() default 20_000;

    @AttributeDefinition(description = "Most connections from one source address (a NAT shares one among its users)", min = "1")
    int maxConnectionsPerAddress() default 2000;

    @AttributeDefinition(description = "New connections per second from one source address, after its burst (token bucket)", min = "1")
    int connectionsPerSecondPerAddress() default 50;

    @AttributeDefinition(description = "New connections one source address may open at once (size of its token bucket): a NAT's users reconnecting together", min = "1")
    int connectionBurstPerAddress() default 2000;

    @AttributeDefinition(description = "Packets per second a session may send (token bucket, burst of one second)", min = "1")
    int packetsPerSecond() default 200;

    @AttributeDefinition(description = "Bytes per second a session may send (token bucket, burst of one second)", min = "8192")
    int bytesPerSecond() default 262_144;

    @AttributeDefinition(description = "Seconds a session may stay over its rate, or take to drain a full write queue, before it is closed", min = "0")
    int throttleGrace() default 10;

    @AttributeDefinition(description = "Bytes that may wait to be written to one session before it is closed as a slow reader", min = "65536")
    long maxQueuedOutboundBytes() default 4_194_304;

    @AttributeDefinition(description = "Messages kept in memory for retry while Redis is unreachable", min = "0")
    int storageRetryBuffer() default 100_000;

    @AttributeDefinition(description = "Name of this node in presence records; empty picks host name + random suffix", required = false)
    String nodeId() default "";

    @AttributeDefinition(description = "Milliseconds after which a node that stopped renewing its lease in Redis counts as dead for the other nodes",
            min = "1000")
    long nodeLeaseTimeout() default 15_000;
}
