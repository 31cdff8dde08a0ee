package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ChatConnector;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientLeaveGroup;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbClientRequestGroupInfo;
import io.github.chatserver.protocol.PbClientRequestGroupOfflineMsg;
import io.github.chatserver.protocol.PbGroupInfo;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyDisbandGroup;
import io.github.chatserver.protocol.PbServerNotifyJoinGroup;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseGroupInfo;
import io.github.chatserver.protocol.PbServerResponseGroupOfflineMsg;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore.Kind;
import io.github.chatserver.testing.PersistentRedis;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.mina.core.session.IoSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each kind of request does while Redis is unreachable, and after it is back: logins against
 * a hung Redis, offline delivery cut by an outage, group operations, a group message that does not
 * fit the retry buffer. Redis keeps its data across the restarts ({@link PersistentRedis}).
 */
@ExtendWith(RedisExtension.class)
@PersistentRedis
class OutageBehaviourTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String UNAVAILABLE = "service temporarily unavailable";
    /** Messages per delivery batch ({@code OfflineHandler.BATCH}). */
    private static final int BATCH = 100;
    private RedisServer redis;

    @AfterEach
    void redisRunsAgain() throws Exception {
        if (redis != null && !redis.isRunning()) {
            redis.restart();
        } else if (redis != null) {
            redis.resume();
        }
    }

    @Test
    void withRedisHungALoginIsRefusedWithTheReasonWithinTheResponseTimeoutAndOnlineChatGoesOn(RedisServer redis)
            throws Exception {
        this.redis = redis;
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String alice = user("alice");
            String bob = user("bob");
            String carol = user("carol"); // offline
            ChatClient a = harness.login(alice);
            ChatClient b = harness.login(bob);

            redis.pause(); // connections are accepted, nothing is answered
            ChatClient late = harness.connect();
            long t0 = System.nanoTime();
            late.send(PbClientLogin.newBuilder().setUuid(user("late")).setVersion(1.0f).setTimestamp(ChatClient.now()).build());
            PbServerAcceptLogin answer = late.receive(PbServerAcceptLogin.class, WAIT);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            a.send(text(alice, carol, "for later"));
            a.send(text(alice, bob, "while Redis hangs"));
            PbC2CTextChat online = b.receive(PbC2CTextChat.class, WAIT); // so "for later" was handled: carol was offline

            assertFalse(answer.getLogin());
            assertTrue(answer.getTipsMsg().contains(UNAVAILABLE), answer.getTipsMsg());
            assertTrue(millis >= 1_500 && millis < 3_000, "refused after " + millis + " ms (response timeout 2 s)");
            assertEquals("while Redis hangs", online.getTextMsg());
            System.out.println("HUNG login refused after " + millis + " ms");

            redis.resume();
            ChatClient c = harness.login(carol); // service resumes, no restart of the server
            await().atMost(WAIT).until(() ->
                    harness.stats().get(Counter.STORAGE_DRAINED) == harness.stats().get(Counter.STORAGE_BUFFERED));
            c.send(PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(carol).setTimestamp(ChatClient.now()).build());
            assertEquals("for later", c.receive(PbServerResponseC2COfflineMsg.class, WAIT).getTextMsg());
            assertNull(c.poll(Duration.ofMillis(300)));
        }
    }

    @Test
    void anOutageInTheMiddleOfAnOfflineDeliveryServesEveryMessageExactlyOnceInOrder(RedisServer redis) throws Exception {
        this.redis = redis;
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String fay = user("fay");
            String sender = user("sender");
            ChatClient s = harness.login(sender);
            int total = 300;
            String padding = "y".repeat(1000);
            for (int i = 0; i < total; i++) {
                s.send(text(sender, fay, i + ":" + padding));
            }
            await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, fay) == total);

            ChatConnector smallBuffer = ChatConnector.legacy().receiveBufferSize(8192);
            ChatClient f = smallBuffer.connect("127.0.0.1", harness.port());
            assertTrue(f.login(fay).getLogin());
            f.pauseReading(); // a stuck reader: what the server writes to it piles up in its write queue
            IoSession serverSide = harness.server.sessions().find(fay).orElseThrow();
            int onlineTotal = 6000; // 6 MB, more than the kernel buffers hold
            for (int i = 0; i < onlineTotal; i++) {
                s.send(text(sender, fay, "online:" + padding));
            }
            await().atMost(WAIT).until(() -> TrackedWrites.framesIssued(serverSide) == onlineTotal);
            f.send(request(fay)); // the first batch is read from Redis and queued behind the online messages
            await().atMost(WAIT).until(() -> TrackedWrites.framesIssued(serverSide) == onlineTotal + BATCH);
            assertTrue(TrackedWrites.framesInFlight(serverSide) > BATCH, "the batch is still queued");

            redis.stop();
            f.resumeReading(); // the batch is written now, while Redis is down: its removals fail
            List<Integer> got = new ArrayList<>();
            int online = 0;
            for (Packet p = f.poll(WAIT); p != null; p = f.poll(Duration.ofMillis(500))) {
                if (p.body() instanceof PbServerResponseC2COfflineMsg m) {
                    got.add(number(m.getTextMsg()));
                } else {
                    online++;
                }
            }
            assertEquals(onlineTotal, online);
            assertEquals(BATCH, got.size(), "the first batch was written, then the delivery stopped");
            // Those removals did not reach Redis: kept for retry, not forgotten.
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.STORAGE_BUFFERED) == BATCH);
            f.send(request(fay)); // during the outage: nothing is served (it waits for the removals), no hang
            assertNull(f.poll(Duration.ofMillis(500)));
            assertTrue(f.isConnected());

            redis.restart();
            await().atMost(WAIT).until(() ->
                    harness.stats().get(Counter.STORAGE_DRAINED) == harness.stats().get(Counter.STORAGE_BUFFERED));
            f.send(request(fay)); // served by the waiting request, or by this one if that one gave up
            for (Packet p = f.poll(WAIT); p != null && got.size() < total; p = f.poll(WAIT)) {
                got.add(number(p.body(PbServerResponseC2COfflineMsg.class).getTextMsg()));
            }
            assertNull(f.poll(Duration.ofMillis(500)), "nothing served twice");
            assertEquals(total, got.size(), "every message once");
            for (int i = 0; i < total; i++) {
                assertEquals(i, got.get(i), "in order, none twice");
            }
            await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, fay) == 0);
            smallBuffer.close();
        }
    }

    @Test
    void groupOperationsFailCleanlyDuringAnOutageAndLeaveNothingHalfDone(RedisServer redis) throws Exception {
        this.redis = redis;
        try (ServerHarness harness = ServerHarness.start(redis)) {
            String owner = user("owner");
            String member = user("member");
            String away = user("away");
            String other = user("other");
            ChatClient o = harness.login(owner);
            ChatClient m = harness.login(member);
            ChatClient x = harness.login(other);
            String group = build(o, "g");
            String quiet = build(x, "never texted");
            join(m, member, group);
            ChatClient a = harness.login(away);
            join(a, away, group);
            a.close();
            drain(o); // join notices
            drain(m);
            o.send(groupText(owner, group, "before")); // caches the members
            assertEquals("before", m.receive(PbGroupTextChat.class, WAIT).getTextMsg());

            redis.stop();
            o.send(groupText(owner, group, "during"));
            assertEquals("during", m.receive(PbGroupTextChat.class, WAIT).getTextMsg(), "online members get it at once");

            o.send(PbClientBuildGroup.newBuilder().setGroupName("new").setTimestamp(ChatClient.now()).build());
            PbServerNotifyBuildGroup built = o.receive(PbServerNotifyBuildGroup.class, WAIT);
            assertFalse(built.getBuild());
            assertTrue(built.getTipsMsg().contains(UNAVAILABLE), built.getTipsMsg());

            m.send(PbClientLeaveGroup.newBuilder().setFromUuid(member).setGroupId(group).setTimestamp(ChatClient.now()).build());
            PbServerNotifyDisbandGroup leave = m.receive(PbServerNotifyDisbandGroup.class, WAIT);
            assertFalse(leave.getDisband(), "a failed leave is a refusal, not a confirmation");
            assertTrue(leave.getTipsMsg().contains(UNAVAILABLE), leave.getTipsMsg());

            x.send(groupText(other, quiet, "members unknown")); // not cached, Redis down: refused visibly
            assertTrue(x.awaitClosed(WAIT), "the sender of a message that cannot be routed is disconnected");
            assertEquals(1, harness.stats().get(Counter.MESSAGES_REFUSED));

            redis.restart();
            await().atMost(WAIT).until(() ->
                    harness.stats().get(Counter.STORAGE_DRAINED) == harness.stats().get(Counter.STORAGE_BUFFERED));
            ChatClient back = harness.login(away);
            back.send(PbClientRequestGroupOfflineMsg.newBuilder().setFromUuid(away).setTimestamp(ChatClient.now()).build());
            assertEquals("before", back.receive(PbServerResponseGroupOfflineMsg.class, WAIT).getTextMsg());
            assertEquals("during", back.receive(PbServerResponseGroupOfflineMsg.class, WAIT).getTextMsg());
            assertNull(back.poll(Duration.ofMillis(300)), "each once");

            PbServerResponseGroupInfo info = info(o, owner);
            assertEquals(List.of(group), info.getAllGroupInfoList().stream().map(PbGroupInfo::getGroupId).toList(),
                    "the refused build left no group behind");
            assertEquals(List.of(away, member).stream().sorted().toList(),
                    info.getAllGroupInfo(0).getMemberUuidList().stream().sorted().toList(), "the refused leave changed nothing");
        }
    }

    @Test
    void aGroupMessageThatDoesNotFitTheBufferGoesToNobody(RedisServer redis) throws Exception {
        this.redis = redis;
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.withRetryBuffer(redis, 1))) {
            String owner = user("owner");
            String member = user("member");
            ChatClient o = harness.login(owner);
            ChatClient m = harness.login(member);
            String group = build(o, "g");
            join(m, member, group);
            for (String away : List.of(user("away1"), user("away2"))) {
                ChatClient a = harness.login(away);
                join(a, away, group);
                a.close();
            }
            drain(o);
            drain(m);
            o.send(groupText(owner, group, "warm")); // caches the members
            assertEquals("warm", m.receive(PbGroupTextChat.class, WAIT).getTextMsg());

            redis.stop();
            o.send(text(owner, user("nobody"), "takes the only slot")); // its store fails: kept, buffer now full
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.STORAGE_BUFFERED) == 1);
            o.send(groupText(owner, group, "needs two slots"));

            assertTrue(o.awaitClosed(WAIT), "refused visibly");
            assertNull(m.poll(Duration.ofMillis(500)), "not even the online member got it: all or nothing");
            assertEquals(1, harness.stats().get(Counter.MESSAGES_REFUSED));
            assertEquals(0, harness.stats().get(Counter.MESSAGES_LOST));
            assertTrue(m.isConnected());
        }
    }

    private static PbClientRequestC2COfflineMsg request(String user) {
        return PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(user).setTimestamp(ChatClient.now()).build();
    }

    private static int number(String text) {
        return Integer.parseInt(text.substring(0, text.indexOf(':')));
    }

    private static String build(ChatClient c, String name) throws Exception {
        c.send(PbClientBuildGroup.newBuilder().setGroupName(name).setTimestamp(ChatClient.now()).build());
        PbServerNotifyBuildGroup built = c.receive(PbServerNotifyBuildGroup.class, WAIT);
        assertTrue(built.getBuild(), built.getTipsMsg());
        return built.getGroupId();
    }

    /** Joins and takes the applicant's own join notice. */
    private static void join(ChatClient c, String user, String group) throws Exception {
        c.send(PbClientJoinGroup.newBuilder().setFromUuid(user).setGroupId(group).setTimestamp(ChatClient.now()).build());
        assertEquals(user, c.receive(PbServerNotifyJoinGroup.class, WAIT).getApplicantUuid());
    }

    private static PbGroupTextChat groupText(String from, String group, String text) {
        return PbGroupTextChat.newBuilder().setFromUuid(from).setGroupId(group).setTextMsg(text)
                .setTimestamp(ChatClient.now()).build();
    }

    private static PbServerResponseGroupInfo info(ChatClient c, String user) throws Exception {
        c.send(PbClientRequestGroupInfo.newBuilder().setFromUuid(user).setTimestamp(ChatClient.now()).build());
        return c.receive(PbServerResponseGroupInfo.class, WAIT);
    }

    /** Discards join notices and the like that arrived so far (a quiet period ends it). */
    private static void drain(ChatClient c) throws InterruptedException {
        for (Packet p = c.poll(Duration.ofMillis(200)); p != null; p = c.poll(Duration.ofMillis(200))) {
            if (p.body() instanceof PbGroupTextChat t) {
                throw new AssertionError("unexpected group text " + t.getTextMsg());
            }
        }
    }
}
