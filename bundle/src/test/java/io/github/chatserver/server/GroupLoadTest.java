package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ChatConnector;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientRequestGroupInfo;
import io.github.chatserver.protocol.PbGroupInfo;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyJoinGroup;
import io.github.chatserver.protocol.PbServerResponseGroupInfo;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.client.codec.StringCodec;

import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group of 500 members, all online on one client connector (one client I/O thread): every
 * member receives every group message, in order, and nothing else.
 */
@ExtendWith(RedisExtension.class)
class GroupLoadTest {
    private static final int MEMBERS = 500;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private ServerHarness harness;
    private ChatConnector connector;

    @BeforeEach
    void start(RedisServer redis) throws Exception {
        harness = ServerHarness.start(redis);
        connector = ChatConnector.legacy();
    }

    @AfterEach
    void stop() {
        connector.close();
        harness.close();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyMemberOfA500MemberGroupReceivesEveryMessageInOrder() throws Exception {
        List<String> users = IntStream.range(0, MEMBERS).mapToObj(i -> user("m" + i)).toList();
        List<ChatClient> clients = harness.loginMany(connector, users);
        assertEquals(MEMBERS, harness.server.sessions().size());

        // Member 0 builds; the others join one after the other (each waits for its own 18).
        clients.get(0).send(PbClientBuildGroup.newBuilder().setGroupName("crowd").setTimestamp(ChatClient.now()).build());
        PbServerNotifyBuildGroup built = clients.get(0).receive(PbServerNotifyBuildGroup.class, WAIT);
        assertTrue(built.getBuild(), built.getTipsMsg());
        String id = built.getGroupId();
        for (int i = 1; i < MEMBERS; i++) {
            clients.get(i).send(PbClientJoinGroup.newBuilder().setFromUuid(users.get(i)).setGroupId(id)
                    .setTimestamp(ChatClient.now()).build());
            PbServerNotifyJoinGroup own = clients.get(i).receive(PbServerNotifyJoinGroup.class, WAIT);
            assertEquals(users.get(i), own.getApplicantUuid(), "the newcomer's first notice is its own join");
            assertEquals(id, own.getGroupId());
        }
        // Joins were one at a time, so member i (i >= 1) was told of joiners i+1.., the owner of 1..
        for (int i = 0; i < MEMBERS; i++) {
            int from = Math.max(i + 1, 1);
            Set<String> told = new HashSet<>();
            for (int j = from; j < MEMBERS; j++) {
                told.add(clients.get(i).receive(PbServerNotifyJoinGroup.class, WAIT).getApplicantUuid());
            }
            assertEquals(new HashSet<>(users.subList(from, MEMBERS)), told, "join notices at member " + i);
        }
        assertEquals(MEMBERS, harness.redis().getSet("chat:group:{" + id + "}:members", StringCodec.INSTANCE).size());

        // Five messages, each from a different member; every other member receives each of them.
        List<Integer> senders = List.of(0, 1, 250, 498, 499);
        for (int k = 0; k < senders.size(); k++) {
            int s = senders.get(k);
            clients.get(s).send(text(users.get(s), id, "msg-" + k));
            for (int i = 0; i < MEMBERS; i++) {
                if (i == s) {
                    continue;
                }
                PbGroupTextChat got = clients.get(i).receive(PbGroupTextChat.class, WAIT);
                assertEquals("msg-" + k, got.getTextMsg(), "message " + k + " at member " + i);
                assertEquals(users.get(s), got.getFromUuid());
                assertEquals(id, got.getGroupId());
            }
        }
        // A burst from one member, sent back to back: every other member gets it all, in send order.
        int burster = 123;
        List<String> burst = IntStream.range(0, 20).mapToObj(n -> "burst-" + n).toList();
        for (String b : burst) {
            clients.get(burster).send(text(users.get(burster), id, b));
        }
        for (int i = 0; i < MEMBERS; i++) {
            if (i == burster) {
                continue;
            }
            List<String> got = new ArrayList<>();
            for (int n = 0; n < burst.size(); n++) {
                got.add(clients.get(i).receive(PbGroupTextChat.class, WAIT).getTextMsg());
            }
            assertEquals(burst, got, "burst at member " + i);
        }

        long expectedDeliveries = (long) (senders.size() + burst.size()) * (MEMBERS - 1);
        await().atMost(WAIT).until(() -> harness.stats().get(Counter.GROUP_DELIVERIES) == expectedDeliveries);
        assertEquals(0, harness.stats().get(Counter.MESSAGES_OFFLINE), "everyone was online");
        // Nothing else was queued for anyone (no own echo, no duplicate): the next packet is the info answer.
        for (int i = 0; i < MEMBERS; i++) {
            clients.get(i).send(PbClientRequestGroupInfo.newBuilder().setFromUuid(users.get(i))
                    .setTimestamp(ChatClient.now()).build());
        }
        for (int i = 0; i < MEMBERS; i++) {
            PbServerResponseGroupInfo info = clients.get(i).receive(PbServerResponseGroupInfo.class, WAIT);
            assertEquals(1, info.getAllGroupInfoCount());
            PbGroupInfo g = info.getAllGroupInfo(0);
            assertEquals(id, g.getGroupId());
            assertEquals(users.get(0), g.getOwnerUuid());
            assertEquals(MEMBERS - 1, g.getMemberUuidCount());
        }
    }

    private static PbGroupTextChat text(String from, String id, String text) {
        return PbGroupTextChat.newBuilder().setFromUuid(from).setGroupId(id).setTextMsg(text)
                .setTimestamp(ChatClient.now()).build();
    }
}
