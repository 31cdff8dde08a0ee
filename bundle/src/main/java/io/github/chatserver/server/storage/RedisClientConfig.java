package io.github.chatserver.server.storage;

import io.github.chatserver.server.config.ChatServerConfig;
import io.github.chatserver.server.config.ConfigPaths;
import io.github.chatserver.server.config.ServerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.BaseMasterSlaveServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConfigSupport;
import org.redisson.config.EqualJitterDelay;
import org.redisson.config.ReadMode;
import org.redisson.config.SingleServerConfig;

/**
 * The Redisson {@link Config} the server connects with. The operator describes the Redis
 * deployment: either {@code redisAddress} (+ {@code redisPassword}) for one server, or
 * {@code redisConfig}, a Redisson YAML file for any mode Redisson knows (single server,
 * Sentinel, Cluster, replicated, master/slave; ACL username and password; {@code rediss://};
 * TLS trust and key stores; pool sizes; {@code ${ENV_VAR}} substitution).
 *
 * <p>Whatever the file says, some settings are the server's, because its correctness or its
 * promises depend on them (docs/notes/cluster.md lists them for operators):
 * <ul>
 *   <li>codec {@link StringCodec}, no thread context class loader, no Redisson references: only
 *       strings and protobuf bytes are stored, so no Java serialization and no class-loader
 *       trouble in OSGi;</li>
 *   <li>no resend of a command ({@code retryAttempts} 0): a resend after a timeout may run a
 *       non-idempotent script twice (a group change, a presence claim); the server retries only
 *       its idempotent writes, itself ({@link RetryBuffer});</li>
 *   <li>connect and response timeouts of 2 s and a reconnection backoff of 0.1-2 s: an operation
 *       fails within a bound instead of hanging, so a login is refused with a reason in bounded
 *       time while Redis is unreachable (the bounds are {@link RedisStore}'s);</li>
 *   <li>reads from masters only ({@code readMode MASTER}) where there are replicas: the server
 *       reads what it has just written (a stored message, a presence claim), and a replica may lag.</li>
 * </ul>
 * Everything else in the file (addresses, credentials, TLS, pool sizes, scan intervals, the
 * subscription mode, thread counts) is used as written.
 */
public final class RedisClientConfig {
    private RedisClientConfig() {
    }

    /** The chat traffic's client: the deployment with the server's own settings forced (see the class comment). */
    public static Config forServer(ServerSettings settings) {
        Config config = deployment(settings);
        config.setCodec(StringCodec.INSTANCE);
        config.setUseThreadClassLoader(false);
        config.setReferenceEnabled(false); // no live objects here: skips a per-argument reference check on every command
        BaseConfig<?> servers = ConfigSupport.getConfig(config);
        servers.setConnectTimeout(RedisStore.CONNECT_TIMEOUT_MILLIS)
                .setTimeout(RedisStore.RESPONSE_TIMEOUT_MILLIS)
                .setRetryAttempts(RedisStore.RETRY_ATTEMPTS)
                .setReconnectionDelay(new EqualJitterDelay(Duration.ofMillis(100), RedisStore.MAX_RECONNECTION_DELAY));
        if (servers instanceof BaseMasterSlaveServersConfig<?> withReplicas) {
            withReplicas.setReadMode(ReadMode.MASTER);
        }
        return config;
    }

    /**
     * The console's small client: the same deployment with one or two connections per Redis node
     * and a little patience (console commands are rare, read-only and may be retried).
     */
    public static Config forConsole(ServerSettings settings) {
        Config config = deployment(settings);
        config.setCodec(StringCodec.INSTANCE);
        config.setUseThreadClassLoader(false);
        config.setThreads(1);
        config.setNettyThreads(2);
        BaseConfig<?> servers = ConfigSupport.getConfig(config);
        servers.setConnectTimeout(5_000).setTimeout(3_000).setRetryAttempts(2);
        if (servers instanceof SingleServerConfig single) {
            single.setConnectionMinimumIdleSize(1).setConnectionPoolSize(2)
                    .setSubscriptionConnectionMinimumIdleSize(0).setSubscriptionConnectionPoolSize(1);
        } else if (servers instanceof BaseMasterSlaveServersConfig<?> withReplicas) {
            withReplicas.setReadMode(ReadMode.MASTER);
            withReplicas.setMasterConnectionMinimumIdleSize(1).setMasterConnectionPoolSize(2)
                    .setSlaveConnectionMinimumIdleSize(1).setSlaveConnectionPoolSize(2)
                    .setSubscriptionConnectionMinimumIdleSize(0).setSubscriptionConnectionPoolSize(1);
        }
        return config;
    }

    /**
     * The deployment as the operator described it: the YAML file of {@code redisConfig} when set,
     * else {@code redisAddress} and {@code redisPassword}. A file that is missing, unreadable,
     * not Redisson YAML or names no Redis fails with an {@link IllegalArgumentException} whose
     * one-line message names the key and the file (the component logs it and starts nothing).
     */
    public static Config deployment(ServerSettings settings) {
        if (settings.redisConfig().isEmpty()) {
            Config config = new Config();
            config.useSingleServer().setAddress(settings.redisAddress());
            if (!settings.redisPassword().isEmpty()) {
                config.setPassword(settings.redisPassword());
            }
            return config;
        }
        Path file = ConfigPaths.resolve(settings.redisConfig());
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw invalid(file, "no such readable file");
        }
        Config config;
        try {
            config = Config.fromYAML(file.toFile(), Config.class.getClassLoader());
            ConfigSupport.getConfig(config); // checks that it names a Redis, and the pool sizes
        } catch (IOException | RuntimeException e) {
            throw invalid(file, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return config;
    }

    private static IllegalArgumentException invalid(Path file, String reason) {
        return new IllegalArgumentException("Invalid " + ChatServerConfig.PID + " configuration: redisConfig " + file
                + " is not a usable Redisson YAML file: " + oneLine(reason));
    }

    /**
     * SnakeYAML's messages span several lines, each position followed by the offending line of
     * the file and a caret under the column. One log line, and without the file's lines: the
     * offending one may hold a password.
     */
    static String oneLine(String reason) {
        String[] lines = reason.strip().split("\\R");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            boolean quotedLine = i + 1 < lines.length && lines[i + 1].strip().equals("^");
            if (quotedLine) {
                i++; // the file's line and its caret
            } else if (!lines[i].isBlank()) {
                text.append(text.length() == 0 ? "" : " ").append(lines[i].strip());
            }
        }
        return text.toString();
    }
}
