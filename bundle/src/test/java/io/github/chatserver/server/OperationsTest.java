package io.github.chatserver.server;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.server.admin.OfflineSummary;
import io.github.chatserver.server.admin.ServerOperations;
import io.github.chatserver.server.admin.ServerStatus;
import io.github.chatserver.server.admin.SessionInfo;
import io.github.chatserver.server.admin.StatsReport;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.GroupRecord;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the console sees of a real server on a real Redis after some traffic (ServerOperations, outside OSGi). */
@ExtendWith(RedisExtension.class)
class OperationsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private ServerHarness harness;
    private ServerOperations ops;

    @BeforeEach
    void start(RedisServer redis) throws Exception {
        harness = ServerHarness.start(redis);
        ops = new ServerOperations(harness.server, "1.2.3", harness::redis);
    }

    @AfterEach
    void stop() {
        ops.close();
        harness.close();
    }

    @Test
    void statusSessionsStatsGroupsAndOfflineReflectTheTraffic() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        ChatClient a = harness.login(alice);
        ChatClient b = harness.login(bob);
        StatsReport first = ops.stats();

        a.send(text(alice, bob, "hello"));
        b.receive(PbC2CTextChat.class, WAIT);
        a.send(text(alice, carol, "later"));
        a.send(PbClientBuildGroup.newBuilder().setGroupName("ops").setTimestamp(ChatClient.now()).build());
        String groupId = a.receive(PbServerNotifyBuildGroup.class, WAIT).getGroupId();
        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.C2C, carol) == 1);

        ServerStatus status = ops.status();
        assertEquals(List.of("plain 127.0.0.1:" + harness.port() + " (cipher legacy-aes)"), status.listeners());
        assertNotNull(status.redisLatency(), "Redis answers PING: " + status.redisError());
        assertNull(status.redisError());
        assertEquals(2, status.connections());
        assertEquals(2, status.sessions());
        assertTrue(status.peakConnections() >= 2);
        assertEquals("1.2.3", status.version());

        List<SessionInfo> sessions = ops.sessions(null);
        assertEquals(Set.of(alice, bob), Set.copyOf(sessions.stream().map(SessionInfo::user).toList()));
        SessionInfo mine = ops.sessions(alice).get(0);
        assertEquals(4, mine.packetsIn(), "login, two texts, a build");
        assertTrue(mine.packetsOut() >= 2, "login answer and build answer: " + mine);
        assertTrue(mine.bytesIn() > 0 && mine.bytesOut() > 0, mine.toString());
        assertTrue(mine.remoteAddress().startsWith("127.0.0.1:"), mine.remoteAddress());
        assertTrue(System.currentTimeMillis() - mine.loggedInAtMillis() < 60_000, mine.toString());
        assertEquals(List.of(alice), ops.onlineUsers("alice-", 10));

        assertTrue(first.sinceStart());
        assertEquals(2, first.line("LOGINS_OK").total());
        harness.login(user("dave"));
        StatsReport second = ops.stats();
        assertFalse(second.sinceStart());
        assertEquals(3, second.line("LOGINS_OK").total());
        assertTrue(second.line("LOGINS_OK").perSecond() > 0, "one login since the previous report");
        assertEquals(1, second.line("MESSAGES_ONLINE").total());
        assertEquals(1, second.line("MESSAGES_OFFLINE").total());
        assertEquals(0, second.line("VIOLATIONS.FRAME_LENGTH").total());

        GroupRecord group = ops.group(groupId);
        assertEquals("ops", group.name());
        assertEquals(alice, group.owner());
        assertEquals(Set.of(alice), group.members());
        assertTrue(Math.abs(System.currentTimeMillis() / 1000 - group.createdAt()) < 60, "created " + group.createdAt());
        assertEquals(List.of(groupId), ops.groupsOf(alice).stream().map(GroupRecord::id).toList());
        assertTrue(ops.scanGroups(1000).stream().anyMatch(g -> g.id().equals(groupId)));
        assertTrue(ops.groupIds(groupId.substring(0, 6), 10).contains(groupId));
        assertThrows(IllegalArgumentException.class, () -> ops.group("not-an-id"));
        assertThrows(IllegalArgumentException.class, () -> ops.group("A".repeat(22)));

        OfflineSummary offline = ops.offline(carol);
        assertEquals(1, offline.c2c().count());
        assertEquals(0, offline.group().count());
        long age = System.currentTimeMillis() - offline.c2c().oldestAcceptedAtMillis();
        assertTrue(age >= 0 && age < 60_000, "accepted " + age + " ms ago");
        assertEquals(offline.c2c().oldestSeq(), offline.c2c().newestSeq());
    }

    @Test
    void kickClosesTheSessionOnThisNodeAndCountsIt() throws Exception {
        String bob = user("bob");
        ChatClient b = harness.login(bob);

        assertTrue(ops.kick(bob));

        assertTrue(b.awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> ops.sessions(bob).isEmpty());
        assertFalse(ops.kick(bob), "no session left here");
        assertEquals(1, harness.stats().get(Counter.ADMIN_KICKS));
        assertThrows(IllegalArgumentException.class, () -> ops.kick("has\ttab"));
    }
}
