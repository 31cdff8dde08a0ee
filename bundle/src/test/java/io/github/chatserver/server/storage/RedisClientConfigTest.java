package io.github.chatserver.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.server.config.ConfigPaths;
import io.github.chatserver.server.config.ServerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConfigSupport;
import org.redisson.config.ReadMode;
import org.redisson.config.ReplicatedServersConfig;
import org.redisson.config.SentinelServersConfig;
import org.redisson.config.SingleServerConfig;

/** The Redisson configuration built from the settings: the operator's deployment, the server's forced settings, clear refusals. */
class RedisClientConfigTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearKarafHome() {
        System.clearProperty(ConfigPaths.KARAF_HOME);
    }

    private static ServerSettings withFile(Path file) {
        return ServerSettings.defaults("redis://127.0.0.1:6379").toBuilder().redisConfig(file.toString()).build();
    }

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("redis.yaml"), text);
    }

    @Test
    void withoutAFileTheAddressAndPasswordMakeASingleServer() {
        ServerSettings settings = ServerSettings.defaults("rediss://redis.example.com:6380").toBuilder()
                .redisPassword("secret").build();

        Config config = RedisClientConfig.forServer(settings);

        SingleServerConfig single = assertInstanceOf(SingleServerConfig.class, ConfigSupport.getConfig(config));
        assertEquals("rediss://redis.example.com:6380", single.getAddress());
        assertEquals("secret", config.getPassword());
        assertEquals(RedisStore.RETRY_ATTEMPTS, single.getRetryAttempts());
        assertEquals("rediss://redis.example.com:6380", settings.redisDescription());
    }

    @Test
    void theServerForcesItsOwnCodecRetriesTimeoutsAndReadModeWhateverTheFileSays() throws IOException {
        Path file = yaml("""
                username: "chat"
                password: "s3cret"
                codec: !<org.redisson.codec.Kryo5Codec> {}
                useThreadClassLoader: true
                clusterServersConfig:
                  nodeAddresses: ["redis://10.0.0.1:7000"]
                  retryAttempts: 5
                  timeout: 9000
                  connectTimeout: 9000
                  readMode: "SLAVE"
                  scanInterval: 1234
                  masterConnectionPoolSize: 70
                """);

        Config config = RedisClientConfig.forServer(withFile(file));

        assertEquals(StringCodec.INSTANCE, config.getCodec());
        assertFalse(config.isUseThreadClassLoader());
        assertFalse(config.isReferenceEnabled());
        ClusterServersConfig cluster = assertInstanceOf(ClusterServersConfig.class, ConfigSupport.getConfig(config));
        assertEquals(0, cluster.getRetryAttempts());
        assertEquals(RedisStore.RESPONSE_TIMEOUT_MILLIS, cluster.getTimeout());
        assertEquals(RedisStore.CONNECT_TIMEOUT_MILLIS, cluster.getConnectTimeout());
        assertEquals(ReadMode.MASTER, cluster.getReadMode());
        // The rest is the operator's.
        assertEquals("chat", config.getUsername());
        assertEquals("s3cret", config.getPassword());
        assertEquals(List.of("redis://10.0.0.1:7000"), cluster.getNodeAddresses());
        assertEquals(1234, cluster.getScanInterval());
        assertEquals(70, cluster.getMasterConnectionPoolSize());
    }

    @Test
    void theConsoleGetsTheSameDeploymentWithSmallPoolsAndReadsFromMasters() throws IOException {
        Path file = yaml("sentinelServersConfig:\n  masterName: \"m\"\n  readMode: \"SLAVE\"\n"
                + "  sentinelAddresses: [\"redis://10.0.0.1:26379\"]\n");

        SentinelServersConfig sentinel = assertInstanceOf(SentinelServersConfig.class,
                ConfigSupport.getConfig(RedisClientConfig.forConsole(withFile(file))));

        assertEquals("m", sentinel.getMasterName());
        assertEquals(ReadMode.MASTER, sentinel.getReadMode());
        assertEquals(2, sentinel.getMasterConnectionPoolSize());
    }

    /** The documented examples (docs/notes/cluster.md, the .cfg file): one per mode, each read as the mode it shows. */
    @Test
    void theDocumentedExampleOfEachModeIsUsable() throws Exception {
        Path examples = Path.of(getClass().getResource("/redis-config/single.yaml").toURI()).getParent();
        List<Class<? extends BaseConfig<?>>> modes = List.of(SingleServerConfig.class, SentinelServersConfig.class,
                ClusterServersConfig.class, ReplicatedServersConfig.class);
        List<String> files = List.of("single.yaml", "sentinel.yaml", "cluster.yaml", "replicated.yaml");
        for (int i = 0; i < files.size(); i++) {
            Config config = RedisClientConfig.forServer(withFile(examples.resolve(files.get(i))));
            assertInstanceOf(modes.get(i), ConfigSupport.getConfig(config), files.get(i));
        }
        Config single = RedisClientConfig.deployment(withFile(examples.resolve("single.yaml")));
        assertEquals("chat", single.getUsername());
        assertEquals(System.getenv().getOrDefault("REDIS_PASSWORD", "not-set"), single.getPassword(),
                "${REDIS_PASSWORD:-not-set} is taken from the environment");
    }

    @Test
    void aRelativePathIsRelativeToKarafsHome() throws IOException {
        yaml("singleServerConfig:\n  address: \"redis://10.0.0.9:6379\"\n");
        System.setProperty(ConfigPaths.KARAF_HOME, dir.toString());

        Config config = RedisClientConfig.deployment(withFile(Path.of("redis.yaml")));

        assertEquals("redis://10.0.0.9:6379", ((SingleServerConfig) ConfigSupport.getConfig(config)).getAddress());
    }

    @Test
    void aMissingFileIsRefusedNamingTheKeyAndTheFile() {
        Path missing = dir.resolve("no-such.yaml");
        assertRefused(withFile(missing), missing.toString(), "no such readable file");
        assertRefused(withFile(dir), dir.toString(), "no such readable file"); // a directory
    }

    @Test
    void aFileThatIsNotRedissonYamlIsRefusedInOneLineWithoutQuotingTheFile() throws IOException {
        Path file = yaml("password: \"hunter2\nsingleServerConfig:\n  address: [\n");
        String message = assertRefused(withFile(file), file.toString(), "line");
        assertFalse(message.contains("hunter2"), "the offending line of the file is not quoted: " + message);

        Path unknown = yaml("singleServerConfig:\n  adress: \"redis://10.0.0.1:6379\"\n");
        assertRefused(withFile(unknown), unknown.toString(), "adress");
    }

    @Test
    void aFileNamingNoRedisIsRefused() throws IOException {
        Path file = yaml("threads: 4\n");
        assertRefused(withFile(file), file.toString(), "address");
    }

    private static String assertRefused(ServerSettings settings, String file, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisClientConfig.deployment(settings));
        String message = e.getMessage();
        assertTrue(message.startsWith("Invalid io.github.chatserver configuration: redisConfig " + file), message);
        assertTrue(message.contains(reason), message);
        assertFalse(message.contains("\n") || message.contains("\r"), "one log line: " + message);
        assertThrows(IllegalArgumentException.class, () -> RedisClientConfig.forServer(settings));
        return message;
    }
}
