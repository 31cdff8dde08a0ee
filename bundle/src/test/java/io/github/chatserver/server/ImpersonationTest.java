package io.github.chatserver.server;

import com.google.protobuf.Message;
import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientDisbandGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientLeaveGroup;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbClientRequestGroupInfo;
import io.github.chatserver.protocol.PbClientRequestGroupOfflineMsg;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.server.storage.OfflineStore.Kind;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/PROTOCOL.md §4, Identity: every packet type that carries a from_uuid, sent with someone
 * else's, closes the sender's connection and acts on nothing. The victim owns a group and has a
 * stored message; both are intact afterwards, and the victim's session is untouched.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImpersonationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private ServerHarness harness;
    private String victim;
    private ChatClient victimClient;
    private String group;

    @BeforeAll
    void start(RedisServer redis) throws Exception {
        harness = ServerHarness.start(redis);
        victim = user("victim");
        victimClient = harness.login(victim);
        victimClient.send(PbClientBuildGroup.newBuilder().setGroupName("victim's").setTimestamp(ChatClient.now()).build());
        group = victimClient.receive(PbServerNotifyBuildGroup.class, WAIT).getGroupId();
        victimClient.close();
        await().atMost(WAIT).until(() -> harness.server.sessions().find(victim).isEmpty());
        String sender = user("sender");
        harness.login(sender).send(text(sender, victim, "stored for the victim"));
        await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, victim) == 1);
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    static Stream<Arguments> packetsWithFromUuid() {
        return Stream.of(
                packet("5 C2C text", (from, g) -> text(from, "someone", "forged")),
                packet("6 C2C offline request", (from, g) -> PbClientRequestC2COfflineMsg.newBuilder()
                        .setFromUuid(from).setTimestamp(1).build()),
                packet("8 group text", (from, g) -> PbGroupTextChat.newBuilder().setFromUuid(from).setGroupId(g)
                        .setTextMsg("forged").setTimestamp(1).build()),
                packet("9 group offline request", (from, g) -> PbClientRequestGroupOfflineMsg.newBuilder()
                        .setFromUuid(from).setTimestamp(1).build()),
                packet("11 group info", (from, g) -> PbClientRequestGroupInfo.newBuilder()
                        .setFromUuid(from).setTimestamp(1).build()),
                packet("15 disband", (from, g) -> PbClientDisbandGroup.newBuilder().setFromUuid(from).setGroupId(g)
                        .setTimestamp(1).build()),
                packet("17 join", (from, g) -> PbClientJoinGroup.newBuilder().setFromUuid(from).setGroupId(g)
                        .setTimestamp(1).build()),
                packet("19 leave", (from, g) -> PbClientLeaveGroup.newBuilder().setFromUuid(from).setGroupId(g)
                        .setTimestamp(1).build()));
    }

    private static Arguments packet(String name, BiFunction<String, String, Message> build) {
        return Arguments.of(name, build);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packetsWithFromUuid")
    void aForeignFromUuidClosesTheConnectionAndChangesNothing(String name, BiFunction<String, String, Message> build)
            throws Exception {
        long violationsBefore = harness.stats().violations(ProtocolViolation.Kind.FORBIDDEN);
        ChatClient mallory = harness.login(user("mallory"));

        mallory.send(build.apply(victim, group));

        assertTrue(mallory.awaitClosed(WAIT), name + ": connection not closed");
        assertNull(mallory.poll(Duration.ZERO), name + ": something was served before the close");
        assertEquals(violationsBefore + 1, harness.stats().violations(ProtocolViolation.Kind.FORBIDDEN));
        assertEquals(1, harness.stored(Kind.C2C, victim), name + ": the victim's stored message changed");
        // The group is intact: still there, with its owner as the only member.
        assertEquals(java.util.Set.of(victim),
                harness.redis().getSet("chat:group:{" + group + "}:members",
                        org.redisson.client.codec.StringCodec.INSTANCE).readAll(), name + ": membership changed");
    }
}
