package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ChatServerComponentTest.config;
import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live reconfiguration through the component, outside OSGi, as Declarative Services drives it
 * ({@code modified}): a change of limits or timeouts is swapped in place (same server, listener
 * still bound, connected sessions stay connected, new sessions get the new values); a change of
 * port rebinds; an invalid change keeps everything as it was.
 */
@ExtendWith(RedisExtension.class)
class ReconfigurationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final ChatServerComponent component = new ChatServerComponent();
    private final List<ChatClient> clients = new ArrayList<>();

    @AfterEach
    void deactivate() {
        clients.forEach(ChatClient::close);
        component.deactivate();
    }

    private static Map<String, Object> valid(RedisServer redis) {
        Map<String, Object> keys = new HashMap<>();
        keys.put("port", 0);
        keys.put("redisAddress", redis.address());
        return keys;
    }

    private ChatClient login(int port, String user) throws Exception {
        ChatClient client = ChatClient.connect("127.0.0.1", port);
        clients.add(client);
        assertTrue(client.login(user).getLogin(), "login of " + user);
        return client;
    }

    @Test
    void aChangeOfLimitsAndTimeoutsAppliesInPlaceToNewSessionsAndKeepsConnectedOnes(RedisServer redis) throws Exception {
        Map<String, Object> keys = valid(redis);
        component.activate(config(keys));
        ChatServer running = component.server();
        int port = running.localAddress().getPort();
        String nodeId = running.settings().nodeId(); // generated: nodeId is blank in the configuration
        String alice = user("alice");
        String bob = user("bob");
        ChatClient a = login(port, alice);
        ChatClient b = login(port, bob);

        keys.put("maxTextLength", 10);
        keys.put("idleTimeout", 1);
        keys.put("loginFailureDelay", 100L);
        keys.put("packetsPerSecond", 500);
        keys.put("connectionsPerSecondPerAddress", 7);
        keys.put("connectionBurstPerAddress", 70);
        component.modified(config(keys));

        assertSame(running, component.server(), "no restart for a change of limits and timeouts");
        assertEquals(port, running.localAddress().getPort());
        assertEquals(nodeId, running.settings().nodeId(), "the generated node id is kept");
        assertEquals(10, running.settings().limits().maxTextLength());
        assertEquals(7, running.settings().overload().connectionsPerSecondPerAddress());
        assertEquals(70, running.settings().overload().connectionBurstPerAddress());
        // Connected sessions stay connected and keep chatting, within the new limit.
        a.send(text(alice, bob, "short"));
        assertEquals("short", b.receive(PbC2CTextChat.class, WAIT).getTextMsg());
        // A new session gets the new idle timeout (1 s): closed while idle; the older ones are not.
        ChatClient idle = login(port, user("idle"));
        assertTrue(idle.awaitClosed(Duration.ofSeconds(4)), "the new idleTimeout of 1 s closes a new idle session");
        assertTrue(a.isConnected() && b.isConnected(), "sessions from before the change keep their idle time");
        // The new text limit applies: a longer text is a protocol violation that closes its sender.
        String carol = user("carol");
        ChatClient c = login(port, carol);
        c.send(text(carol, bob, "longer than ten characters"));
        assertTrue(c.awaitClosed(WAIT), "a text over the new maxTextLength closes the sender");
        b.send(text(bob, alice, "still here"));
        assertEquals("still here", a.receive(PbC2CTextChat.class, WAIT).getTextMsg());
    }

    @Test
    void aChangeOfPortRebindsTheOldPortRefusesAndTheNewOneAccepts(RedisServer redis) throws Exception {
        Map<String, Object> keys = valid(redis);
        component.activate(config(keys));
        ChatServer first = component.server();
        int oldPort = first.localAddress().getPort();
        ChatClient before = login(oldPort, user("before"));
        int newPort = freePort();

        keys.put("port", newPort);
        component.modified(config(keys));

        assertNotSame(first, component.server());
        assertEquals(newPort, component.server().localAddress().getPort());
        assertTrue(before.awaitClosed(WAIT), "a rebind closes the sessions of the old listener");
        login(newPort, user("after"));
        assertThrows(IOException.class, () -> ChatClient.connect("127.0.0.1", oldPort).close(),
                "the old port is released");
    }

    @Test
    void anInvalidValueIsRefusedAndTheServerKeepsServingWithItsPreviousConfiguration(RedisServer redis) throws Exception {
        Map<String, Object> keys = valid(redis);
        component.activate(config(keys));
        ChatServer running = component.server();
        int port = running.localAddress().getPort();
        ChatClient connected = login(port, user("connected"));

        for (Map.Entry<String, Object> bad : List.<Map.Entry<String, Object>>of(Map.entry("cipher", "rot13"),
                Map.entry("port", -1), Map.entry("idleTimeout", 0), Map.entry("redisAddress", "localhost"))) {
            Map<String, Object> changed = new HashMap<>(valid(redis));
            changed.put(bad.getKey(), bad.getValue());
            component.modified(config(changed));
            assertSame(running, component.server(), "refused: " + bad);
            assertEquals(port, running.localAddress().getPort());
        }
        assertTrue(connected.isConnected());
        login(port, user("new"));
    }

    @Test
    void aRebindToAPortInUseFallsBackToThePreviousConfiguration(RedisServer redis) throws Exception {
        Map<String, Object> keys = valid(redis);
        keys.put("port", freePort());
        component.activate(config(keys));
        int port = component.server().localAddress().getPort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, Object> changed = new HashMap<>(keys);
            changed.put("port", taken.getLocalPort());
            component.modified(config(changed));
        }
        assertEquals(port, component.server().localAddress().getPort());
        assertEquals(port, component.server().settings().port());
        login(port, user("back"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
