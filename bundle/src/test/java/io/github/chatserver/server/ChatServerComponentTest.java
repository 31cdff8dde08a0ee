package io.github.chatserver.server;

import io.github.chatserver.server.config.ChatServerConfig;
import io.github.chatserver.server.config.OverloadSettings;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The component outside OSGi, as Declarative Services drives it: no server in token mode without
 * a secret (and no exception for SCR to log as a stack trace), a bad change keeps the running one.
 */
@ExtendWith(RedisExtension.class)
class ChatServerComponentTest {
    private static final String SECRET = "a-test-secret-of-at-least-32-characters!";
    private final ChatServerComponent component = new ChatServerComponent();

    @AfterEach
    void deactivate() {
        component.deactivate();
    }

    /** The configuration DS would pass: the annotation's defaults, some keys overridden. */
    static ChatServerConfig config(Map<String, Object> overrides) {
        return (ChatServerConfig) Proxy.newProxyInstance(ChatServerConfig.class.getClassLoader(),
                new Class<?>[] {ChatServerConfig.class}, (proxy, method, args) ->
                        overrides.containsKey(method.getName()) ? overrides.get(method.getName()) : method.getDefaultValue());
    }

    private static Map<String, Object> valid(RedisServer redis) {
        Map<String, Object> keys = new HashMap<>();
        keys.put("port", 0);
        keys.put("redisAddress", redis.address());
        return keys;
    }

    @Test
    void tokenModeWithoutASecretStartsNothing(RedisServer redis) throws Exception {
        Map<String, Object> keys = valid(redis);
        keys.put("authMode", "token");

        component.activate(config(keys));

        assertNull(component.server());
        IllegalStateException e = assertThrows(IllegalStateException.class, component::authMode);
        assertTrue(e.getMessage().contains("not running"), e.getMessage());
    }

    @Test
    void tokenModeWithAShortSecretStartsNothing(RedisServer redis) throws Exception {
        Map<String, Object> keys = valid(redis);
        keys.put("authMode", "token");
        keys.put("tokenSecret", "x".repeat(31));

        component.activate(config(keys));

        assertNull(component.server());
    }

    @Test
    void aRedisConfigFileThatCannotBeReadStartsNothing(RedisServer redis) throws Exception {
        Map<String, Object> keys = valid(redis);
        keys.put("redisConfig", "no-such-dir/redis.yaml");

        component.activate(config(keys));

        assertNull(component.server(), "the valid redisAddress is not used instead of the file");
        IllegalStateException e = assertThrows(IllegalStateException.class, component::status);
        assertTrue(e.getMessage().contains("not running"), e.getMessage());
    }

    @Test
    void aValidConfigurationStartsTheServerAndItsAdmin(RedisServer redis) throws Exception {
        Map<String, Object> keys = valid(redis);
        keys.put("authMode", "token");
        keys.put("tokenSecret", SECRET);

        component.activate(config(keys));

        assertNotNull(component.server());
        assertNotNull(component.server().localAddress());
        assertEquals("token", component.authMode());
        assertTrue(component.mintToken("alice", 60).startsWith("alice."));
    }

    @Test
    void anInvalidChangeKeepsTheRunningServer(RedisServer redis) throws Exception {
        component.activate(config(valid(redis)));
        ChatServer running = component.server();
        Map<String, Object> broken = valid(redis);
        broken.put("authMode", "token");

        component.modified(config(broken));

        assertSame(running, component.server());
        assertNotNull(running.localAddress(), "still listening");
        assertEquals("open", component.authMode());
    }

    @Test
    void theSettingsRefuseTokenModeWithoutASecretNamingTheKey(RedisServer redis) {
        Map<String, Object> keys = valid(redis);
        keys.put("authMode", "token");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(config(keys)));

        assertTrue(e.getMessage().contains("tokenSecret"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void ioThreadsDefaultsToOnePerCoreAndRefusesANegativeCount(RedisServer redis) {
        Map<String, Object> keys = valid(redis);
        assertEquals(Runtime.getRuntime().availableProcessors(), ServerSettings.from(config(keys)).ioProcessors());
        keys.put("ioThreads", 3);
        assertEquals(3, ServerSettings.from(config(keys)).ioProcessors());
        keys.put("ioThreads", -1);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(config(keys)));

        assertTrue(e.getMessage().contains("ioThreads"), e.getMessage());
    }

    @Test
    void theConnectionBurstComesFromItsKeyCoversTheDefaultPerAddressCapAndRefusesZero(RedisServer redis) {
        Map<String, Object> keys = valid(redis);
        OverloadSettings defaults = ServerSettings.from(config(keys)).overload();
        assertEquals(OverloadSettings.DEFAULTS, defaults, "the annotation's defaults are the documented ones");
        assertTrue(defaults.connectionBurstPerAddress() >= 1000, "a thousand users behind one NAT");
        assertTrue(defaults.connectionBurstPerAddress() >= defaults.maxConnectionsPerAddress(),
                "all an address may hold can reconnect at once");
        keys.put("connectionBurstPerAddress", 5000);
        assertEquals(5000, ServerSettings.from(config(keys)).overload().connectionBurstPerAddress());
        keys.put("connectionBurstPerAddress", 0);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(config(keys)));

        assertTrue(e.getMessage().contains("connectionBurstPerAddress"), e.getMessage());
    }

    @Test
    void theSettingsNeverPrintTheSecret(RedisServer redis) {
        Map<String, Object> keys = valid(redis);
        keys.put("authMode", "token");
        keys.put("tokenSecret", SECRET);

        assertFalse(ServerSettings.from(config(keys)).toString().contains(SECRET));
    }
}
