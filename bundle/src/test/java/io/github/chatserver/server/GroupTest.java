package io.github.chatserver.server;

import com.google.protobuf.Message;
import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientDisbandGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientLeaveGroup;
import io.github.chatserver.protocol.PbClientLogout;
import io.github.chatserver.protocol.PbClientRequestGroupInfo;
import io.github.chatserver.protocol.PbClientRequestGroupOfflineMsg;
import io.github.chatserver.protocol.PbGroupInfo;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyDisbandGroup;
import io.github.chatserver.protocol.PbServerNotifyJoinGroup;
import io.github.chatserver.protocol.PbServerNotifyLeaveGroup;
import io.github.chatserver.protocol.PbServerResponseGroupInfo;
import io.github.chatserver.protocol.PbServerResponseGroupOfflineMsg;
import io.github.chatserver.server.config.Limits;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.GroupStore;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.client.codec.StringCodec;

import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discussion groups, docs/PROTOCOL.md §4 "Groups" and "Identity", with the refusal
 * convention of GroupHandler: a refused build is 14 build=false, a refused disband or an owner's
 * leave is 16 disband=false, a refused join / leave / group text is a 20 naming the user itself.
 *
 * <p>"Nobody else received anything" is checked without sleeping: the member then asks for its
 * group info (11), and the next packet it receives must be that answer (12). Anything the server
 * wrongly sent it earlier would be queued in front of it.
 */
@ExtendWith(RedisExtension.class)
class GroupTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** A client timestamp the server must not pass on: it stamps its own clock. */
    private static final long CLIENT_TIME = 42;

    private RedisServer redis;
    private ServerHarness harness;

    @BeforeEach
    void start(RedisServer redis) throws Exception {
        this.redis = redis;
        harness = ServerHarness.start(redis);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    /** Replaces the default server by one with these limits (same Redis). */
    private void restartWith(Limits limits) throws IOException {
        harness.close();
        harness = ServerHarness.start(redis, ServerHarness.settings(redis).withLimits(limits));
    }

    // ---------------------------------------------------------------- build (13/14)

    @Test
    void buildAnswersWithANewUnguessableIdAndTheBuilderAsOwner() throws Exception {
        Member alice = login("alice");

        PbServerNotifyBuildGroup first = build(alice, "friends");
        PbServerNotifyBuildGroup second = build(alice, "friends");

        for (PbServerNotifyBuildGroup b : List.of(first, second)) {
            assertTrue(b.getBuild(), b.getTipsMsg());
            assertTrue(b.getGroupId().matches("[A-Za-z0-9_-]{22}"), "22 URL-safe characters: " + b.getGroupId());
            assertEquals("friends", b.getGroupName());
            assertEquals(alice.uuid(), b.getOwnerUuid());
            assertServerTime(b.getTimestamp());
        }
        assertNotEquals(first.getGroupId(), second.getGroupId(), "every build makes a new group");
        // What Redis holds: the group hash, its member set (the owner), the owner's index.
        for (String id : List.of(first.getGroupId(), second.getGroupId())) {
            Map<String, String> hash = harness.redis().<String, String>getMap(groupKey(id), StringCodec.INSTANCE).readAllMap();
            assertEquals("friends", hash.get("name"));
            assertEquals(alice.uuid(), hash.get("owner"));
            assertEquals(Set.of(alice.uuid()), members(id));
        }
        assertEquals(Set.of(first.getGroupId(), second.getGroupId()), groupsOf(alice.uuid()));
        Map<String, PbGroupInfo> info = byId(info(alice));
        assertEquals(Set.of(first.getGroupId(), second.getGroupId()), info.keySet());
        assertEquals(List.of(), info.get(first.getGroupId()).getMemberUuidList(), "the owner is not listed as member");
    }

    @Test
    void aBlankOrTooLongNameIsRefusedWithAReason() throws Exception {
        Member alice = login("alice");
        int max = harness.server.settings().limits().maxGroupNameLength();

        for (String name : List.of("", "   ", "x".repeat(max + 1))) {
            PbServerNotifyBuildGroup refused = build(alice, name);
            assertFalse(refused.getBuild(), "name '" + name + "' must be refused");
            assertFalse(refused.getTipsMsg().isBlank(), "a refusal carries a reason");
            assertEquals("", refused.getGroupId());
        }
        PbServerNotifyBuildGroup longest = build(alice, "y".repeat(max));

        assertTrue(longest.getBuild(), "a name of exactly maxGroupNameLength is fine: " + longest.getTipsMsg());
        assertEquals(Set.of(longest.getGroupId()), groupsOf(alice.uuid()), "refused builds stored nothing");
        assertEquals(3, harness.stats().get(Counter.REQUESTS_REFUSED));
        assertTrue(alice.client().isConnected(), "a refusal is an answer, not a close");
    }

    @Test
    void buildingOrJoiningBeyondMaxGroupsPerUserIsRefused() throws Exception {
        restartWith(new Limits(2048, 64, 2000, 2, 128));
        Member alice = login("alice");
        Member bob = login("bob");
        String one = newGroup(alice, "one");
        String two = newGroup(alice, "two");
        String bobs = newGroup(bob, "bobs");
        newGroup(bob, "bobs too");

        PbServerNotifyBuildGroup third = build(alice, "three");
        bob.client().send(joinRequest(bob.uuid(), one));
        PbServerNotifyLeaveGroup joinRefused = bob.client().receive(PbServerNotifyLeaveGroup.class, WAIT);
        alice.client().send(joinRequest(alice.uuid(), bobs));
        PbServerNotifyLeaveGroup aliceRefused = alice.client().receive(PbServerNotifyLeaveGroup.class, WAIT);

        assertFalse(third.getBuild());
        assertFalse(third.getTipsMsg().isBlank());
        assertEquals("", third.getGroupId());
        assertEquals(alice.uuid(), third.getOwnerUuid());
        assertEquals(bob.uuid(), joinRefused.getLeaverUuid());
        assertEquals(one, joinRefused.getGroupId());
        assertEquals(alice.uuid(), aliceRefused.getLeaverUuid());
        assertEquals(Set.of(one, two), groupsOf(alice.uuid()));
        assertEquals(Set.of(alice.uuid()), members(one), "the refused joiner is not a member");
        assertEquals(Set.of(bob.uuid()), members(bobs));
        // The limit counts current groups: after a disband there is room again.
        alice.client().send(disbandRequest(alice.uuid(), two));
        assertTrue(alice.client().receive(PbServerNotifyDisbandGroup.class, WAIT).getDisband());
        assertTrue(build(alice, "three").getBuild());
    }

    // ---------------------------------------------------------------- join (17/18)

    @Test
    void aJoinIsAnnouncedToEveryOnlineMemberAndNothingIsStoredForOfflineOnes() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        Member dave = login("dave");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);
        join(carol, id, "club", alice, bob);
        logout(carol);

        join(dave, id, "club", alice, bob); // asserts alice, bob and dave each get the 18 naming dave

        assertEquals(Set.of(alice.uuid(), bob.uuid(), carol.uuid(), dave.uuid()), members(id));
        assertTrue(groupsOf(dave.uuid()).contains(id));
        // Nothing else was sent to the online ones, and nothing at all was stored for carol ...
        assertNothingElseReceived(alice, bob, dave);
        assertEquals(0, harness.stored(OfflineStore.Kind.GROUP, carol.uuid()));
        assertEquals(0, harness.stored(OfflineStore.Kind.C2C, carol.uuid()));
        // ... which a later group text proves: it is the one and only thing carol finds stored.
        sendText(bob, id, "while carol is away");
        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.GROUP, carol.uuid()) == 1);
        Member back = relogin(carol);
        back.client().send(groupOfflineRequest(back.uuid()));
        assertEquals("while carol is away", back.client().receive(PbServerResponseGroupOfflineMsg.class, WAIT).getTextMsg());
        assertNothingElseReceived(back);
    }

    @Test
    void joiningAgainIsConfirmedToTheApplicantOnly() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);

        bob.client().send(joinRequest(bob.uuid(), id));

        assertJoinNotice(bob.client().receive(PbServerNotifyJoinGroup.class, WAIT), bob, id, "club");
        assertNothingElseReceived(alice, bob);
        assertEquals(Set.of(alice.uuid(), bob.uuid()), members(id));
        assertEquals(Set.of(id), groupsOf(bob.uuid()));
    }

    @Test
    void joiningAnUnknownGroupIsAnsweredWithALeaveNoticeNamingTheApplicant() throws Exception {
        Member bob = login("bob");
        String unknown = GroupStore.newGroupId();

        bob.client().send(joinRequest(bob.uuid(), unknown));

        PbServerNotifyLeaveGroup refused = bob.client().receive(PbServerNotifyLeaveGroup.class, WAIT);
        assertEquals(bob.uuid(), refused.getLeaverUuid());
        assertEquals(unknown, refused.getGroupId());
        assertServerTime(refused.getTimestamp());
        assertTrue(bob.client().isConnected());
        assertEquals(Set.of(), groupsOf(bob.uuid()));
        assertFalse(exists(groupKey(unknown)) || exists(membersKey(unknown)), "a join creates no group");
        assertEquals(1, harness.stats().get(Counter.REQUESTS_REFUSED));
    }

    @Test
    void aFullGroupRefusesTheApplicantAndStaysAsItWas() throws Exception {
        restartWith(new Limits(2048, 64, 3, 200, 128));
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        Member dave = login("dave");
        String id = newGroup(alice, "trio");
        join(bob, id, "trio", alice);
        join(carol, id, "trio", alice, bob);

        dave.client().send(joinRequest(dave.uuid(), id));

        PbServerNotifyLeaveGroup refused = dave.client().receive(PbServerNotifyLeaveGroup.class, WAIT);
        assertEquals(dave.uuid(), refused.getLeaverUuid());
        assertEquals(id, refused.getGroupId());
        assertEquals(Set.of(alice.uuid(), bob.uuid(), carol.uuid()), members(id));
        assertEquals(Set.of(), groupsOf(dave.uuid()));
        PbGroupInfo trio = byId(assertNothingElseReceived(alice, bob, carol).get(0)).get(id);
        assertEquals(sorted(bob.uuid(), carol.uuid()), trio.getMemberUuidList());
        // The refused applicant's text is refused as well.
        sendText(dave, id, "let me in");
        assertEquals(dave.uuid(), dave.client().receive(PbServerNotifyLeaveGroup.class, WAIT).getLeaverUuid());
        assertNothingElseReceived(alice, bob, carol);
    }

    @Test
    void aMalformedGroupIdClosesTheConnection() throws Exception {
        Member alice = login("alice");
        String id = newGroup(alice, "club");
        int closed = 0;
        // Not 22 characters; 22 characters but not URL-safe base64; empty.
        for (String bad : List.of("garbage", "abcdefghijklmnopqrstu/", "")) {
            Member offender = login("offender");
            offender.client().send(joinRequest(offender.uuid(), bad));
            assertTrue(offender.client().awaitClosed(WAIT), "join of '" + bad + "' closes the connection");
            assertEquals(Set.of(), groupsOf(offender.uuid()));
            closed++;
        }

        int expected = closed;
        await().atMost(WAIT).until(() -> harness.stats().violations(ProtocolViolation.Kind.MALFORMED_BODY) == expected);
        assertEquals(Set.of(alice.uuid()), members(id));
        assertNothingElseReceived(alice);
    }

    @Test
    void anImpersonatedJoinClosesTheConnectionAndChangesNothing() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member mallory = login("mallory");
        String id = newGroup(alice, "club");

        mallory.client().send(joinRequest(bob.uuid(), id));

        assertTrue(mallory.client().awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> harness.stats().violations(ProtocolViolation.Kind.FORBIDDEN) == 1);
        assertEquals(Set.of(alice.uuid()), members(id));
        assertEquals(Set.of(), groupsOf(bob.uuid()));
        assertEquals(Set.of(), groupsOf(mallory.uuid()));
        assertNothingElseReceived(alice, bob);
    }

    // ---------------------------------------------------------------- leave (19/20)

    @Test
    void aLeaveIsAnnouncedToTheRemainingOnlineMembersAndTheLeaver() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        Member dave = login("dave");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);
        join(carol, id, "club", alice, bob);
        join(dave, id, "club", alice, bob, carol);
        logout(dave);

        bob.client().send(leaveRequest(bob.uuid(), id));

        for (Member m : List.of(alice, bob, carol)) {
            PbServerNotifyLeaveGroup left = m.client().receive(PbServerNotifyLeaveGroup.class, WAIT);
            assertEquals(bob.uuid(), left.getLeaverUuid());
            assertEquals(id, left.getGroupId());
            assertEquals("club", left.getGroupName());
            assertServerTime(left.getTimestamp());
        }
        assertEquals(Set.of(alice.uuid(), carol.uuid(), dave.uuid()), members(id));
        assertEquals(Set.of(), groupsOf(bob.uuid()));
        PbGroupInfo club = byId(assertNothingElseReceived(alice, bob, carol).get(0)).get(id);
        assertEquals(sorted(carol.uuid(), dave.uuid()), club.getMemberUuidList());
        assertEquals(0, harness.stored(OfflineStore.Kind.GROUP, dave.uuid()), "leave notices are not stored");
        assertEquals(0, harness.stored(OfflineStore.Kind.C2C, dave.uuid()));
    }

    @Test
    void theOwnerCannotLeaveOnlyDisband() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);

        alice.client().send(leaveRequest(alice.uuid(), id));

        PbServerNotifyDisbandGroup refused = alice.client().receive(PbServerNotifyDisbandGroup.class, WAIT);
        assertFalse(refused.getDisband());
        assertEquals(id, refused.getGroupId());
        assertEquals("club", refused.getGroupName());
        assertFalse(refused.getTipsMsg().isBlank(), "the refusal says why");
        assertEquals(Set.of(alice.uuid(), bob.uuid()), members(id));
        assertEquals(Set.of(id), groupsOf(alice.uuid()));
        PbGroupInfo club = byId(assertNothingElseReceived(alice, bob).get(0)).get(id);
        assertEquals(alice.uuid(), club.getOwnerUuid(), "still the owner");
        assertEquals(List.of(bob.uuid()), club.getMemberUuidList());
        sendText(alice, id, "still here");
        assertEquals("still here", bob.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
    }

    @Test
    void aNonMemberLeavingIsToldItIsNotInTheGroup() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);

        carol.client().send(leaveRequest(carol.uuid(), id));

        PbServerNotifyLeaveGroup answer = carol.client().receive(PbServerNotifyLeaveGroup.class, WAIT);
        assertEquals(carol.uuid(), answer.getLeaverUuid());
        assertEquals(id, answer.getGroupId());
        assertNothingElseReceived(alice, bob, carol);
        assertEquals(Set.of(alice.uuid(), bob.uuid()), members(id));
        assertEquals(1, harness.stats().get(Counter.REQUESTS_REFUSED));
    }

    @Test
    void afterLeavingGroupTextIsRefusedAndNoLongerReceived() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);
        join(carol, id, "club", alice, bob);
        leave(bob, id, "club", alice, carol);

        sendText(bob, id, "can I still talk?");

        PbServerNotifyLeaveGroup refused = bob.client().receive(PbServerNotifyLeaveGroup.class, WAIT);
        assertEquals(bob.uuid(), refused.getLeaverUuid());
        assertEquals(id, refused.getGroupId());
        assertNothingElseReceived(alice, carol);
        sendText(alice, id, "bob is gone");
        assertEquals("bob is gone", carol.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
        assertNothingElseReceived(bob, alice, carol);
    }

    @Test
    void anImpersonatedLeaveClosesTheConnectionAndChangesNothing() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member mallory = login("mallory");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);

        mallory.client().send(leaveRequest(bob.uuid(), id));

        assertTrue(mallory.client().awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> harness.stats().violations(ProtocolViolation.Kind.FORBIDDEN) == 1);
        assertEquals(Set.of(alice.uuid(), bob.uuid()), members(id));
        assertNothingElseReceived(alice, bob);
    }

    // ---------------------------------------------------------------- disband (15/16)

    @Test
    void onlyTheOwnerMayDisband() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);

        bob.client().send(disbandRequest(bob.uuid(), id));

        PbServerNotifyDisbandGroup refused = bob.client().receive(PbServerNotifyDisbandGroup.class, WAIT);
        assertFalse(refused.getDisband());
        assertEquals(id, refused.getGroupId());
        assertFalse(refused.getTipsMsg().isBlank());
        assertNothingElseReceived(alice, bob);
        assertTrue(exists(groupKey(id)));
        assertEquals(Set.of(alice.uuid(), bob.uuid()), members(id));
        assertEquals(Set.of(id), groupsOf(bob.uuid()));
        sendText(bob, id, "still a group");
        assertEquals("still a group", alice.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
    }

    @Test
    void disbandingAnUnknownGroupIsRefused() throws Exception {
        Member alice = login("alice");
        String unknown = GroupStore.newGroupId();

        alice.client().send(disbandRequest(alice.uuid(), unknown));

        PbServerNotifyDisbandGroup refused = alice.client().receive(PbServerNotifyDisbandGroup.class, WAIT);
        assertFalse(refused.getDisband());
        assertEquals(unknown, refused.getGroupId());
        assertFalse(refused.getTipsMsg().isBlank());
        assertTrue(alice.client().isConnected());
    }

    @Test
    void aDisbandIsAnnouncedToEveryOnlineMemberAndRemovesAllItsData() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        Member dave = login("dave");
        String id = newGroup(alice, "club");
        String other = newGroup(carol, "other");
        join(bob, id, "club", alice);
        join(carol, id, "club", alice, bob);
        join(dave, id, "club", alice, bob, carol);
        join(bob, other, "other", carol);
        sendText(bob, id, "warm the membership cache");
        for (Member m : List.of(alice, carol, dave)) {
            m.client().receive(PbGroupTextChat.class, WAIT);
        }
        logout(dave);

        alice.client().send(disbandRequest(alice.uuid(), id));

        for (Member m : List.of(alice, bob, carol)) {
            PbServerNotifyDisbandGroup gone = m.client().receive(PbServerNotifyDisbandGroup.class, WAIT);
            assertTrue(gone.getDisband());
            assertEquals(id, gone.getGroupId());
            assertEquals("club", gone.getGroupName());
            assertServerTime(gone.getTimestamp());
        }
        assertFalse(exists(groupKey(id)), groupKey(id) + " is deleted");
        assertFalse(exists(membersKey(id)), membersKey(id) + " is deleted");
        for (Member m : List.of(alice, bob, carol, dave)) {
            assertFalse(groupsOf(m.uuid()).contains(id), "the group is gone from " + m.uuid() + "'s index");
        }
        assertEquals(Set.of(other), groupsOf(bob.uuid()));
        assertEquals(0, harness.stored(OfflineStore.Kind.GROUP, dave.uuid()), "the disband notice is not stored");
        List<PbServerResponseGroupInfo> infos = assertNothingElseReceived(alice, bob, carol);
        assertEquals(List.of(), infos.get(0).getAllGroupInfoList(), "alice has no group left");
        assertEquals(Set.of(other), byId(infos.get(1)).keySet(), "bob's info lists only the other group");
        assertEquals(Set.of(other), byId(infos.get(2)).keySet());

        // A former member's text and a new join are refused; nothing comes back to life.
        sendText(bob, id, "anyone?");
        assertEquals(bob.uuid(), bob.client().receive(PbServerNotifyLeaveGroup.class, WAIT).getLeaverUuid());
        carol.client().send(joinRequest(carol.uuid(), id));
        PbServerNotifyLeaveGroup refused = carol.client().receive(PbServerNotifyLeaveGroup.class, WAIT);
        assertEquals(carol.uuid(), refused.getLeaverUuid());
        assertEquals(id, refused.getGroupId());
        assertNothingElseReceived(alice, bob, carol);
        assertFalse(exists(groupKey(id)) || exists(membersKey(id)));
        assertEquals(0, harness.stored(OfflineStore.Kind.GROUP, dave.uuid()));
    }

    @Test
    void anImpersonatedDisbandClosesTheConnectionAndChangesNothing() throws Exception {
        Member alice = login("alice");
        Member mallory = login("mallory");
        String id = newGroup(alice, "club");
        join(mallory, id, "club", alice);

        mallory.client().send(disbandRequest(alice.uuid(), id));

        assertTrue(mallory.client().awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> harness.stats().violations(ProtocolViolation.Kind.FORBIDDEN) == 1);
        assertTrue(exists(groupKey(id)));
        assertEquals(Set.of(alice.uuid(), mallory.uuid()), members(id));
        assertNothingElseReceived(alice);
    }

    // ---------------------------------------------------------------- info (11/12)

    @Test
    void infoListsEveryGroupOfTheSessionUserWithOwnerAndMembers() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        Member dave = login("dave");
        String one = newGroup(alice, "one");
        String two = newGroup(bob, "two");
        join(alice, two, "two", bob);
        join(carol, one, "one", alice);
        join(carol, two, "two", alice, bob);

        alice.client().send(infoRequest(alice.uuid()).toBuilder().setTimestamp(CLIENT_TIME).build());
        PbServerResponseGroupInfo info = alice.client().receive(PbServerResponseGroupInfo.class, WAIT);

        assertEquals(alice.uuid(), info.getFromUuid());
        assertServerTime(info.getTimestamp());
        Map<String, PbGroupInfo> groups = byId(info);
        assertEquals(Set.of(one, two), groups.keySet());
        assertEquals("one", groups.get(one).getGroupName());
        assertEquals(alice.uuid(), groups.get(one).getOwnerUuid());
        assertEquals(List.of(carol.uuid()), groups.get(one).getMemberUuidList());
        assertEquals("two", groups.get(two).getGroupName());
        assertEquals(bob.uuid(), groups.get(two).getOwnerUuid());
        assertEquals(sorted(alice.uuid(), carol.uuid()), groups.get(two).getMemberUuidList(),
                "every member but the owner");
        assertEquals(Set.of(two), byId(info(bob)).keySet());
        assertEquals(Set.of(one, two), byId(info(carol)).keySet());
        assertEquals(List.of(), info(dave).getAllGroupInfoList(), "no groups, an empty answer");
    }

    @Test
    void infoRequestedForAnotherUserClosesTheConnection() throws Exception {
        Member alice = login("alice");
        Member mallory = login("mallory");
        newGroup(alice, "secret");

        mallory.client().send(infoRequest(alice.uuid()));

        assertTrue(mallory.client().awaitClosed(WAIT));
        assertNull(mallory.client().poll(Duration.ZERO), "nothing was served");
        await().atMost(WAIT).until(() -> harness.stats().violations(ProtocolViolation.Kind.FORBIDDEN) == 1);
        assertNothingElseReceived(alice);
    }

    // ---------------------------------------------------------------- group text (8, 9/10)

    @Test
    void groupTextReachesEveryOtherOnlineMemberWithTheRealSenderAndServerTime() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);
        join(carol, id, "club", alice, bob);

        sendText(alice, id, "hello club ✓");

        for (Member m : List.of(bob, carol)) {
            PbGroupTextChat got = m.client().receive(PbGroupTextChat.class, WAIT);
            assertEquals(alice.uuid(), got.getFromUuid());
            assertEquals(id, got.getGroupId());
            assertEquals("hello club ✓", got.getTextMsg());
            assertServerTime(got.getTimestamp());
        }
        assertNothingElseReceived(alice, bob, carol); // the sender does not get its own message back
        await().atMost(WAIT).until(() -> harness.stats().get(Counter.GROUP_DELIVERIES) == 2);
        assertEquals(0, harness.stored(OfflineStore.Kind.GROUP, alice.uuid()));
    }

    @Test
    void offlineMembersGetGroupTextLaterAsType10OldestFirst() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member dave = login("dave");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);
        join(dave, id, "club", alice, bob);
        logout(dave);
        List<Member> senders = List.of(alice, bob, alice);

        for (int i = 0; i < senders.size(); i++) {
            sendText(senders.get(i), id, "m" + i);
            int stored = i + 1;
            await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.GROUP, dave.uuid()) == stored);
        }
        assertEquals(0, harness.stored(OfflineStore.Kind.C2C, dave.uuid()));
        Member back = relogin(dave);
        back.client().send(groupOfflineRequest(back.uuid()));

        for (int i = 0; i < senders.size(); i++) {
            PbServerResponseGroupOfflineMsg got = back.client().receive(PbServerResponseGroupOfflineMsg.class, WAIT);
            assertEquals("m" + i, got.getTextMsg(), "oldest first");
            assertEquals(senders.get(i).uuid(), got.getFromUuid());
            assertEquals(id, got.getGroupId());
            assertServerTime(got.getTimestamp());
        }
        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.GROUP, dave.uuid()) == 0);
        assertNothingElseReceived(back);
        // Delivered means removed: asking again serves nothing.
        back.client().send(groupOfflineRequest(back.uuid()));
        assertNothingElseReceived(back);
    }

    @Test
    void aNonMembersGroupTextIsRefusedAndReachesNobody() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member dave = login("dave");
        Member eve = login("eve");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);
        join(dave, id, "club", alice, bob);
        logout(dave);

        sendText(eve, id, "let me in");

        PbServerNotifyLeaveGroup refused = eve.client().receive(PbServerNotifyLeaveGroup.class, WAIT);
        assertEquals(eve.uuid(), refused.getLeaverUuid());
        assertEquals(id, refused.getGroupId());
        assertTrue(eve.client().isConnected());
        assertNothingElseReceived(alice, bob, eve);
        // The next text is a member's, and it is the only one stored for dave.
        sendText(alice, id, "members only");
        assertEquals("members only", bob.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.GROUP, dave.uuid()) == 1);
        assertEquals(List.of("members only"), fetchGroupOffline(relogin(dave), 1));
    }

    @Test
    void anImpersonatedGroupTextClosesTheConnectionAndReachesNobody() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member mallory = login("mallory");
        Member dave = login("dave");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);
        join(mallory, id, "club", alice, bob);
        join(dave, id, "club", alice, bob, mallory);
        logout(dave);

        mallory.client().send(groupText(alice.uuid(), id, "I am alice, honest"));

        assertTrue(mallory.client().awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> harness.stats().violations(ProtocolViolation.Kind.FORBIDDEN) == 1);
        sendText(alice, id, "the real alice");
        Packet next = bob.client().receive(WAIT);
        assertEquals("the real alice", next.body(PbGroupTextChat.class).getTextMsg());
        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.GROUP, dave.uuid()) == 1);
        assertEquals(List.of("the real alice"), fetchGroupOffline(relogin(dave), 1));
        assertNothingElseReceived(alice);
    }

    @Test
    void aGroupTextLongerThanMaxTextLengthClosesTheConnection() throws Exception {
        restartWith(new Limits(16, 64, 2000, 200, 128));
        Member alice = login("alice");
        Member bob = login("bob");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);

        sendText(alice, id, "x".repeat(16));
        assertEquals("x".repeat(16), bob.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
        sendText(alice, id, "y".repeat(17));

        assertTrue(alice.client().awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> harness.stats().violations(ProtocolViolation.Kind.FIELD_LIMIT) == 1);
        assertNothingElseReceived(bob);
    }

    @Test
    void aGroupTextWithAMalformedGroupIdClosesTheConnection() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);

        alice.client().send(groupText(alice.uuid(), "garbage", "hello?"));

        assertTrue(alice.client().awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> harness.stats().violations(ProtocolViolation.Kind.MALFORMED_BODY) == 1);
        assertNothingElseReceived(bob);
    }

    // ---------------------------------------------------------------- membership cache coherence

    @Test
    void aJoinIsSeenByTheVeryNextGroupMessage() throws Exception {
        assertTrue(harness.server.settings().membershipCache(), "this test is about the cache");
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);
        sendText(alice, id, "before"); // loads the cache: {alice, bob}
        assertEquals("before", bob.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());

        join(carol, id, "club", alice, bob);
        sendText(alice, id, "after");

        assertEquals("after", carol.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
        assertEquals("after", bob.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
        sendText(carol, id, "the newcomer speaks");
        assertEquals("the newcomer speaks", alice.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
        assertEquals("the newcomer speaks", bob.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
    }

    @Test
    void aLeaveIsSeenByTheVeryNextGroupMessage() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);
        join(carol, id, "club", alice, bob);
        sendText(alice, id, "before"); // loads the cache: {alice, bob, carol}
        assertEquals("before", bob.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
        assertEquals("before", carol.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());

        leave(carol, id, "club", alice, bob);
        sendText(alice, id, "after");

        assertEquals("after", bob.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
        assertNothingElseReceived(carol, alice);
        assertEquals(0, harness.stored(OfflineStore.Kind.GROUP, carol.uuid()), "not stored for the leaver either");
    }

    /**
     * A client that sends its join and, without waiting for the answer, its first text, on one
     * connection (in one TCP write): the text comes after the join, so it is a member's text. It
     * reaches the members, after the notice of the join, and is not refused.
     */
    @Test
    void aTextPipelinedRightBehindTheJoinIsAMembersText() throws Exception {
        Member alice = login("alice");
        Member carol = login("carol");
        String id = newGroup(alice, "club");
        join(carol, id, "club", alice);
        List<Member> online = new ArrayList<>(List.of(alice, carol));

        for (int n = 0; n < 5; n++) {
            sendText(alice, id, "warm the cache " + n); // the members are cached when the join comes
            for (Member m : online.subList(1, online.size())) {
                assertEquals("warm the cache " + n, m.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
            }
            Member newcomer = login("newcomer" + n);
            String hello = "hi, I am newcomer " + n;

            newcomer.client().sendRaw(ServerHarness.frames(List.of(joinRequest(newcomer.uuid(), id), groupText(newcomer.uuid(), id, hello))));

            assertJoinNotice(newcomer.client().receive(PbServerNotifyJoinGroup.class, WAIT), newcomer, id, "club");
            for (Member m : online) {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Packet p = m.client().receive(WAIT);
                    got.add(p.type() + (p.body() instanceof PbGroupTextChat t ? ":" + t.getTextMsg() : ""));
                }
                assertEquals(List.of("SERVER_NOTIFY_JOIN_GROUP", "GROUP_TEXT_CHAT:" + hello), got,
                        "join " + n + ", at " + m.uuid());
            }
            online.add(newcomer);
        }
        assertNothingElseReceived(online.toArray(Member[]::new));
    }

    /**
     * One member's messages, sent back to back right after a membership change (so the first of
     * them finds the membership cache empty and the others arrive while it loads), must reach the
     * other members in the order they were sent.
     */
    @Test
    void oneSendersMessagesKeepTheirOrderRightAfterAMembershipChange() throws Exception {
        assertBurstsKeepTheirOrderAcrossMembershipChanges();
    }

    /** The same without the membership cache: every message reads the members from Redis. */
    @Test
    void oneSendersMessagesKeepTheirOrderWithoutTheMembershipCache() throws Exception {
        harness.close();
        harness = ServerHarness.start(redis, ServerHarness.settings(redis).withMembershipCache(false));
        assertBurstsKeepTheirOrderAcrossMembershipChanges();
    }

    private void assertBurstsKeepTheirOrderAcrossMembershipChanges() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member carol = login("carol");
        String id = newGroup(alice, "club");
        join(bob, id, "club", alice);

        for (int round = 0; round < 10; round++) {
            // A membership change evicts the cached members; then a burst from alice.
            boolean carolIn = round % 2 == 0;
            if (carolIn) {
                join(carol, id, "club", alice, bob);
            } else {
                leave(carol, id, "club", alice, bob);
            }
            List<String> sent = burst(alice, id, "r" + round + "-", 20);

            assertEquals(sent, receiveTexts(bob, sent.size()), "order at bob in round " + round);
            if (carolIn) {
                assertEquals(sent, receiveTexts(carol, sent.size()), "order at carol in round " + round);
            }
        }
        assertNothingElseReceived(alice, bob, carol);
    }

    /** The same for an offline member: a burst sent right after a membership change is stored in send order. */
    @Test
    void oneSendersMessagesAreStoredInSendOrderRightAfterAMembershipChange() throws Exception {
        Member alice = login("alice");
        Member bob = login("bob");
        Member dave = login("dave");
        String id = newGroup(alice, "club");
        join(dave, id, "club", alice);
        logout(dave);
        List<String> sent = new ArrayList<>();

        for (int round = 0; round < 10; round++) {
            if (round % 2 == 0) {
                join(bob, id, "club", alice);
            } else {
                leave(bob, id, "club", alice);
            }
            List<String> burst = burst(alice, id, "r" + round + "-", 20);
            sent.addAll(burst);
            if (round % 2 == 0) { // bob is a member in this round: he gets the burst (order checked elsewhere)
                assertEquals(Set.copyOf(burst), Set.copyOf(receiveTexts(bob, burst.size())));
            }
            // The whole burst is handled before the next membership change.
            int total = sent.size();
            await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.GROUP, dave.uuid()) == total);
        }

        assertEquals(sent, fetchGroupOffline(relogin(dave), sent.size()), "stored in send order");
    }

    /**
     * Sends {@code count} texts back to back in a single TCP write, so that the server reads them
     * together; returns them in send order.
     */
    private static List<String> burst(Member from, String id, String prefix, int count) {
        List<String> sent = new ArrayList<>();
        List<Message> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(prefix + "m" + i);
            texts.add(groupText(from.uuid(), id, prefix + "m" + i));
        }
        from.client().sendRaw(ServerHarness.frames(texts));
        return sent;
    }

    private static List<String> receiveTexts(Member m, int count) throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            texts.add(m.client().receive(PbGroupTextChat.class, WAIT).getTextMsg());
        }
        return texts;
    }

    // ---------------------------------------------------------------- helpers

    /** A logged-in user and its connection. */
    private record Member(String uuid, ChatClient client) {
    }

    private Member login(String name) throws Exception {
        String uuid = user(name);
        return new Member(uuid, harness.login(uuid));
    }

    /** Logs out and waits until the server no longer counts the user as online. */
    private void logout(Member m) throws Exception {
        m.client().send(PbClientLogout.newBuilder().setLogout(true).setTimestamp(ChatClient.now()).build());
        assertTrue(m.client().awaitClosed(WAIT));
        await().atMost(WAIT).until(() -> harness.server.sessions().find(m.uuid()).isEmpty());
    }

    private Member relogin(Member m) throws Exception {
        return new Member(m.uuid(), harness.login(m.uuid()));
    }

    private static PbServerNotifyBuildGroup build(Member m, String name) throws Exception {
        m.client().send(PbClientBuildGroup.newBuilder().setGroupName(name).setTimestamp(CLIENT_TIME).build());
        return m.client().receive(PbServerNotifyBuildGroup.class, WAIT);
    }

    private static String newGroup(Member owner, String name) throws Exception {
        PbServerNotifyBuildGroup built = build(owner, name);
        assertTrue(built.getBuild(), "build refused: " + built.getTipsMsg());
        return built.getGroupId();
    }

    /** The applicant joins; it and every given online member receive the 18 naming it. */
    private static void join(Member applicant, String id, String name, Member... online) throws Exception {
        applicant.client().send(joinRequest(applicant.uuid(), id));
        assertJoinNotice(applicant.client().receive(PbServerNotifyJoinGroup.class, WAIT), applicant, id, name);
        for (Member m : online) {
            assertJoinNotice(m.client().receive(PbServerNotifyJoinGroup.class, WAIT), applicant, id, name);
        }
    }

    /** The member leaves; it and every given online member receive the 20 naming it. */
    private static void leave(Member leaver, String id, String name, Member... online) throws Exception {
        leaver.client().send(leaveRequest(leaver.uuid(), id));
        List<Member> told = new ArrayList<>(List.of(online));
        told.add(leaver);
        for (Member m : told) {
            PbServerNotifyLeaveGroup left = m.client().receive(PbServerNotifyLeaveGroup.class, WAIT);
            assertEquals(leaver.uuid(), left.getLeaverUuid());
            assertEquals(id, left.getGroupId());
            assertEquals(name, left.getGroupName());
        }
    }

    private static void assertJoinNotice(PbServerNotifyJoinGroup notice, Member applicant, String id, String name) {
        assertEquals(applicant.uuid(), notice.getApplicantUuid());
        assertEquals(id, notice.getGroupId());
        assertEquals(name, notice.getGroupName());
        assertServerTime(notice.getTimestamp());
    }

    private static void sendText(Member from, String id, String text) {
        from.client().send(groupText(from.uuid(), id, text));
    }

    private static PbGroupTextChat groupText(String from, String id, String text) {
        return PbGroupTextChat.newBuilder().setFromUuid(from).setGroupId(id).setTextMsg(text)
                .setTimestamp(CLIENT_TIME).build();
    }

    private static PbClientJoinGroup joinRequest(String from, String id) {
        return PbClientJoinGroup.newBuilder().setFromUuid(from).setGroupId(id).setNoteMsg("hi")
                .setTimestamp(CLIENT_TIME).build();
    }

    private static PbClientLeaveGroup leaveRequest(String from, String id) {
        return PbClientLeaveGroup.newBuilder().setFromUuid(from).setGroupId(id).setTimestamp(CLIENT_TIME).build();
    }

    private static PbClientDisbandGroup disbandRequest(String from, String id) {
        return PbClientDisbandGroup.newBuilder().setFromUuid(from).setGroupId(id).setTimestamp(CLIENT_TIME).build();
    }

    private static PbClientRequestGroupInfo infoRequest(String from) {
        return PbClientRequestGroupInfo.newBuilder().setFromUuid(from).setTimestamp(ChatClient.now()).build();
    }

    private static PbClientRequestGroupOfflineMsg groupOfflineRequest(String from) {
        return PbClientRequestGroupOfflineMsg.newBuilder().setFromUuid(from).setTimestamp(ChatClient.now()).build();
    }

    /** Asks for the member's groups; the answer must be the next packet it receives. */
    private static PbServerResponseGroupInfo info(Member m) throws Exception {
        m.client().send(infoRequest(m.uuid()));
        PbServerResponseGroupInfo info = m.client().receive(PbServerResponseGroupInfo.class, WAIT);
        assertEquals(m.uuid(), info.getFromUuid());
        return info;
    }

    /**
     * Each member's next packet is the answer to a group info request it sends now: nothing else
     * was queued for it. Returns the answers, in the order of the members.
     */
    private static List<PbServerResponseGroupInfo> assertNothingElseReceived(Member... members) throws Exception {
        List<PbServerResponseGroupInfo> answers = new ArrayList<>();
        for (Member m : members) {
            answers.add(info(m));
        }
        return answers;
    }

    /**
     * Requests the member's stored group messages, takes the expected number of type 10 answers
     * and returns their texts in arrival order; then checks nothing else was queued.
     */
    private static List<String> fetchGroupOffline(Member m, int expected) throws Exception {
        m.client().send(groupOfflineRequest(m.uuid()));
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < expected; i++) {
            PbServerResponseGroupOfflineMsg stored = m.client().receive(PbServerResponseGroupOfflineMsg.class, WAIT);
            texts.add(stored.getTextMsg());
        }
        assertNothingElseReceived(m);
        return texts;
    }

    private static Map<String, PbGroupInfo> byId(PbServerResponseGroupInfo info) {
        Map<String, PbGroupInfo> byId = info.getAllGroupInfoList().stream()
                .collect(Collectors.toMap(PbGroupInfo::getGroupId, Function.identity()));
        assertEquals(info.getAllGroupInfoCount(), byId.size(), "no group listed twice");
        return byId;
    }

    private static void assertServerTime(long timestamp) {
        assertTrue(Math.abs(timestamp - ChatClient.now()) <= 2, "the server's clock, not the client's: " + timestamp);
    }

    private static List<String> sorted(String... uuids) {
        return List.of(uuids).stream().sorted().toList();
    }

    private static String groupKey(String id) {
        return "chat:group:{" + id + "}";
    }

    private static String membersKey(String id) {
        return "chat:group:{" + id + "}:members";
    }

    private boolean exists(String key) {
        return harness.redis().getKeys().countExists(key) == 1;
    }

    private Set<String> members(String id) {
        return harness.redis().<String>getSet(membersKey(id), StringCodec.INSTANCE).readAll();
    }

    private Set<String> groupsOf(String user) {
        return harness.redis().<String>getSet("chat:user:" + user + ":groups", StringCodec.INSTANCE).readAll();
    }
}
