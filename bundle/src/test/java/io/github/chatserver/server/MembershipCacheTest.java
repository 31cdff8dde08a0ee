package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientLeaveGroup;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyJoinGroup;
import io.github.chatserver.protocol.PbServerNotifyLeaveGroup;
import io.github.chatserver.server.storage.OfflineStore.Kind;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The membership cache: coherent on the very next message after a change on the same node,
 * and soon after a change on another node sharing the Redis; and what it saves, in Redis
 * commands per group message, measured by Redis itself.
 */
@ExtendWith(RedisExtension.class)
class MembershipCacheTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static String build(ChatClient owner, String name) throws Exception {
        owner.send(PbClientBuildGroup.newBuilder().setGroupName(name).setTimestamp(ChatClient.now()).build());
        PbServerNotifyBuildGroup built = owner.receive(PbServerNotifyBuildGroup.class, WAIT);
        assertTrue(built.getBuild());
        return built.getGroupId();
    }

    private static void join(ChatClient client, String user, String group) {
        client.send(PbClientJoinGroup.newBuilder().setFromUuid(user).setGroupId(group).setTimestamp(ChatClient.now()).build());
    }

    private static PbGroupTextChat say(String from, String group, String text) {
        return PbGroupTextChat.newBuilder().setFromUuid(from).setGroupId(group).setTextMsg(text)
                .setTimestamp(ChatClient.now()).build();
    }

    @Test
    void aJoinAndALeaveAreSeenByTheVeryNextGroupMessage(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String owner = user("owner");
            String newcomer = user("newcomer");
            ChatClient o = harness.login(owner);
            ChatClient n = harness.login(newcomer);
            String group = build(o, "cache");
            o.send(say(owner, group, "warms the cache")); // membership {owner} is now cached
            // Its handling (the membership read) completes before o's next packet is handled: once
            // the marker comes back, the join below cannot overtake that read.
            o.send(io.github.chatserver.server.ServerHarness.text(owner, owner, "warmed"));
            assertEquals("warmed", o.receive(io.github.chatserver.protocol.PbC2CTextChat.class, WAIT).getTextMsg());

            join(n, newcomer, group);
            n.receive(PbServerNotifyJoinGroup.class, WAIT);
            o.receive(PbServerNotifyJoinGroup.class, WAIT);
            o.send(say(owner, group, "first after join"));
            assertEquals("first after join", n.receive(PbGroupTextChat.class, WAIT).getTextMsg());

            n.send(PbClientLeaveGroup.newBuilder().setFromUuid(newcomer).setGroupId(group).setTimestamp(ChatClient.now()).build());
            n.receive(PbServerNotifyLeaveGroup.class, WAIT);
            o.send(say(owner, group, "first after leave"));
            o.send(io.github.chatserver.server.ServerHarness.text(owner, newcomer, "marker"));
            assertEquals(io.github.chatserver.protocol.PbC2CTextChat.class, n.receive(WAIT).body().getClass(),
                    "the newcomer's next packet is the marker: the group message after the leave did not reach it");
            assertEquals(0, harness.stored(Kind.GROUP, newcomer));
        }
    }

    @Test
    void aJoinOnAnotherNodeReachesThisNodesCache(RedisServer redis) throws Exception {
        try (ServerHarness node1 = ServerHarness.start(redis); ServerHarness node2 = ServerHarness.start(redis)) {
            String owner = user("owner");
            String remote = user("remote");
            ChatClient o = node1.login(owner);
            String group = build(o, "two nodes");
            o.send(say(owner, group, "warms node 1's cache"));
            ChatClient r = node2.login(remote);
            join(r, remote, group);
            r.receive(PbServerNotifyJoinGroup.class, WAIT);
            r.close(); // offline, so node 1 stores what it sends to the newcomer

            // Node 1 learns of the join through the Redis topic, within moments.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                o.send(say(owner, group, "probe"));
                return node1.stored(Kind.GROUP, remote) > 0;
            });
        }
    }

    @Test
    void redisCommandsPerGroupMessageWithAndWithoutTheCache(RedisServer redis) throws Exception {
        double without = commandsPerMessage(redis, false);
        double with = commandsPerMessage(redis, true);
        System.out.printf("BENCHMARK membership: Redis commands per group message (10 online members): "
                + "without cache %.2f, with cache %.2f%n", without, with);
        assertTrue(without >= 1.0, "without the cache every message reads the members: " + without);
        assertTrue(with < 0.1, "with the cache a message costs no Redis read: " + with);
    }

    private static double commandsPerMessage(RedisServer redis, boolean cache) throws Exception {
        int members = 10;
        int messages = 200;
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.settings(redis).withMembershipCache(cache))) {
            String owner = user("owner");
            ChatClient o = harness.login(owner);
            String group = build(o, "bench");
            List<ChatClient> others = new ArrayList<>();
            for (int i = 0; i < members - 1; i++) {
                String u = user("m" + i);
                ChatClient c = harness.login(u);
                join(c, u, group);
                c.receive(PbServerNotifyJoinGroup.class, WAIT);
                others.add(c);
            }
            o.send(say(owner, group, "warm-up"));
            for (ChatClient c : others) {
                drainUntil(c, "warm-up");
            }
            long before = redis.commandsProcessed();
            for (int i = 0; i < messages; i++) {
                o.send(say(owner, group, "m" + i));
            }
            ChatClient last = others.get(others.size() - 1);
            drainUntil(last, "m" + (messages - 1));
            long after = redis.commandsProcessed();
            return (after - before - 1) / (double) messages; // minus our own second INFO
        }
    }

    private static void drainUntil(ChatClient c, String text) throws Exception {
        while (true) {
            var p = c.receive(WAIT);
            if (p.body() instanceof PbGroupTextChat g && g.getTextMsg().equals(text)) {
                return;
            }
        }
    }

    @Test
    void noGroupMessageReachesSomeoneWhoNeverJoined(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String owner = user("owner");
            String outsider = user("outsider");
            ChatClient o = harness.login(owner);
            ChatClient x = harness.login(outsider);
            String group = build(o, "closed");
            o.send(say(owner, group, "members only"));
            assertNull(x.poll(Duration.ofMillis(300)));
        }
    }
}
