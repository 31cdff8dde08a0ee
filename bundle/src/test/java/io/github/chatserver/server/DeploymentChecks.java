package io.github.chatserver.server;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.server.admin.ServerOperations;
import io.github.chatserver.server.admin.ServerStatus;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.stats.ServerStats.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** What every Redis deployment must give a server started through a {@code redisConfig} file. */
final class DeploymentChecks {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Nothing listens there: a server that chats proves it ignored redisAddress for the file. */
    private static final String UNUSED_ADDRESS = "redis://127.0.0.1:1";

    private DeploymentChecks() {
    }

    /** Settings of a test server (free port, no overload limits) on the deployment of this YAML, written to {@code dir}. */
    static ServerSettings settingsFor(Path dir, String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("redis.yaml"), yaml);
        return ServerSettings.defaults(UNUSED_ADDRESS).withPort(0).withOverload(ServerHarness.NO_OVERLOAD_LIMITS)
                .toBuilder().redisConfig(file.toString()).build();
    }

    /**
     * Starts a server with the settings and checks: logins, one-to-one texts both ways, a text
     * stored for a user who is offline and served at their request, and the console's status
     * reaching every Redis node.
     */
    static void serverChatsAndStores(ServerSettings settings) throws Exception {
        try (ServerHarness harness = ServerHarness.start(settings)) {
            String alice = user("alice");
            String bob = user("bob");
            String carol = user("carol");
            ChatClient a = harness.login(alice);
            ChatClient b = harness.login(bob);

            a.send(text(alice, bob, "hello bob"));
            assertEquals("hello bob", b.receive(PbC2CTextChat.class, WAIT).getTextMsg());
            b.send(text(bob, alice, "hi alice"));
            assertEquals("hi alice", a.receive(PbC2CTextChat.class, WAIT).getTextMsg());

            a.send(text(alice, carol, "for later"));
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.MESSAGES_OFFLINE) == 1);
            ChatClient c = harness.login(carol);
            c.send(PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(carol).setTimestamp(ChatClient.now()).build());
            PbServerResponseC2COfflineMsg stored = c.receive(PbServerResponseC2COfflineMsg.class, WAIT);
            assertEquals("for later", stored.getTextMsg());
            assertEquals(alice, stored.getFromUuid());
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.OFFLINE_DELIVERED) == 1);

            try (ServerOperations console = ServerOperations.connecting(harness.server, "test")) {
                ServerStatus status = console.status();
                assertNull(status.redisError(), "every Redis node answers the console's PING");
                assertNotNull(status.redisLatency());
                assertEquals("redisConfig " + settings.redisConfig(), status.redisAddress());
            }
            assertEquals(0, harness.stats().get(Counter.REDIS_ERRORS));
        }
    }
}
