package io.github.chatserver.server.wire;

import io.github.chatserver.server.ServerHarness;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.server.wire.RawWireClient.Fields;
import io.github.chatserver.server.wire.RawWireClient.Frame;
import io.github.chatserver.server.wire.RawWireClient.Proto;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.redisson.api.RMap;
import org.redisson.client.codec.StringCodec;

import static io.github.chatserver.server.wire.RawWireClient.CLIENT_LEAVE_GROUP;
import static io.github.chatserver.server.wire.RawWireClient.CLIENT_LOGIN;
import static io.github.chatserver.server.wire.RawWireClient.CLIENT_LOGOUT;
import static io.github.chatserver.server.wire.RawWireClient.CLIENT_REQUEST_C2C_OFFLINE_MSG;
import static io.github.chatserver.server.wire.RawWireClient.CLIENT_REQUEST_GROUP_INFO;
import static io.github.chatserver.server.wire.RawWireClient.CLIENT_REQUEST_GROUP_OFFLINE_MSG;
import static io.github.chatserver.server.wire.RawWireClient.C2C_TEXT_CHAT;
import static io.github.chatserver.server.wire.RawWireClient.GROUP_TEXT_CHAT;
import static io.github.chatserver.server.wire.RawWireClient.SERVER_ACCEPT_LOGIN;
import static io.github.chatserver.server.wire.RawWireClient.SERVER_NOTIFY_LEAVE_GROUP;
import static io.github.chatserver.server.wire.RawWireClient.SERVER_RESPONSE_C2C_OFFLINE_MSG;
import static io.github.chatserver.server.wire.RawWireClient.SERVER_RESPONSE_GROUP_INFO;
import static io.github.chatserver.server.wire.RawWireClient.SERVER_RESPONSE_GROUP_OFFLINE_MSG;
import static io.github.chatserver.server.wire.WireSteps.WAIT;
import static io.github.chatserver.server.wire.WireSteps.buildGroup;
import static io.github.chatserver.server.wire.WireSteps.c2c;
import static io.github.chatserver.server.wire.WireSteps.concat;
import static io.github.chatserver.server.wire.WireSteps.groupText;
import static io.github.chatserver.server.wire.WireSteps.join;
import static io.github.chatserver.server.wire.WireSteps.passedThrough;
import static io.github.chatserver.server.wire.WireSteps.pollStored;
import static io.github.chatserver.server.wire.WireSteps.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Uuids as the original clients use them (spaces, Chinese, emoji), end to end over {@link RawWireClient}
 * against a real server and Redis; and the uuids that are refused, each with a reason and its connection closed.
 */
@ExtendWith(RedisExtension.class)
class UuidWireTest {
    /** The uuid the original project's own Java test client logs in with. */
    static final String JAVA_TEST_CLIENT = "hello, 我是一个java程序";

    private ServerHarness harness;
    private final List<RawWireClient> clients = new ArrayList<>();

    @BeforeEach
    void start(RedisServer redis) throws IOException {
        harness = ServerHarness.start(redis);
    }

    @AfterEach
    void stop() {
        clients.forEach(RawWireClient::close);
        harness.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {JAVA_TEST_CLIENT, "张 三", "😀 smile"})
    void aNameWithSpacesInAnyScriptChatsGroupsAndGetsItsStoredMessages(String name) throws IOException {
        String peer = user("peer");
        String witness = user("witness");
        String absent = user("absent");
        RawWireClient n = login(name);
        RawWireClient p = login(peer);
        RawWireClient w = login(witness);
        assertNotNull(presence().get(name), "presence is kept under the name as it is");

        // one-to-one, both ways
        n.send(C2C_TEXT_CHAT, c2c(name, peer, "你好 " + peer, RawWireClient.now()));
        Fields atPeer = p.expect(C2C_TEXT_CHAT, WAIT).fields();
        assertEquals(name, atPeer.string(1));
        assertEquals(peer, atPeer.string(2));
        assertEquals("你好 " + peer, atPeer.string(3));
        p.send(C2C_TEXT_CHAT, c2c(peer, name, "hi " + name, RawWireClient.now()));
        Fields atName = n.expect(C2C_TEXT_CHAT, WAIT).fields();
        assertEquals(peer, atName.string(1));
        assertEquals(name, atName.string(2));
        assertEquals("hi " + name, atName.string(3));

        // groups: the name owns one the peer joins, and joins and leaves one of the peer's
        String own = buildGroup(n, name, "读书会 book club");
        join(p, peer, own, n);
        n.send(GROUP_TEXT_CHAT, groupText(name, own, "welcome", RawWireClient.now()));
        Fields welcome = p.expect(GROUP_TEXT_CHAT, WAIT).fields();
        assertEquals(name, welcome.string(1));
        assertEquals(own, welcome.string(2));
        String theirs = buildGroup(p, peer, "peer's club");
        join(n, name, theirs, p);
        p.send(GROUP_TEXT_CHAT, groupText(peer, theirs, "hello members", RawWireClient.now()));
        assertEquals(peer, n.expect(GROUP_TEXT_CHAT, WAIT).fields().string(1));
        n.send(CLIENT_REQUEST_GROUP_INFO, new Proto().string(1, name).int64(2, RawWireClient.now()));
        Map<String, Fields> groups = n.expect(SERVER_RESPONSE_GROUP_INFO, WAIT).fields().messages(2).stream()
                .collect(Collectors.toMap(g -> g.string(1), Function.identity()));
        assertEquals(name, groups.get(own).string(3), "owner_uuid");
        assertEquals(List.of(peer), groups.get(own).strings(4));
        assertEquals(List.of(name), groups.get(theirs).strings(4), "member_uuid");
        n.send(CLIENT_LEAVE_GROUP, new Proto().string(1, name).string(2, theirs).int64(3, RawWireClient.now()));
        for (RawWireClient c : List.of(p, n)) {
            assertEquals(name, c.expect(SERVER_NOTIFY_LEAVE_GROUP, WAIT).fields().string(1), "leaver_uuid");
        }

        // offline: stored for the name, under Redis keys named after it, and stored from it
        n.send(C2C_TEXT_CHAT, c2c(name, absent, "from " + name, RawWireClient.now()));
        passedThrough(n, name, w, witness);
        n.send(CLIENT_LOGOUT, new Proto().bool(1, true).int64(2, RawWireClient.now()));
        n.assertClosedByServer(WAIT);
        p.send(C2C_TEXT_CHAT, c2c(peer, name, "while you were away", RawWireClient.now()));
        p.send(GROUP_TEXT_CHAT, groupText(peer, own, "group news", RawWireClient.now()));
        await().atMost(WAIT).until(() -> harness.stored(OfflineStore.Kind.C2C, name) == 1
                && harness.stored(OfflineStore.Kind.GROUP, name) == 1);
        assertEquals(2, harness.redis().getKeys().countExists("chat:offline:c2c:" + name, "chat:offline:group:" + name));

        RawWireClient back = login(name);
        Fields stored = pollStored(back, CLIENT_REQUEST_C2C_OFFLINE_MSG, name, SERVER_RESPONSE_C2C_OFFLINE_MSG).fields();
        assertEquals(peer, stored.string(1));
        assertEquals(name, stored.string(2));
        assertEquals("while you were away", stored.string(3));
        Fields storedGroup = pollStored(back, CLIENT_REQUEST_GROUP_OFFLINE_MSG, name, SERVER_RESPONSE_GROUP_OFFLINE_MSG).fields();
        assertEquals(peer, storedGroup.string(1));
        assertEquals(own, storedGroup.string(2));
        assertEquals("group news", storedGroup.string(3));
        RawWireClient a = login(absent);
        Fields fromName = pollStored(a, CLIENT_REQUEST_C2C_OFFLINE_MSG, absent, SERVER_RESPONSE_C2C_OFFLINE_MSG).fields();
        assertEquals(name, fromName.string(1));
        assertEquals("from " + name, fromName.string(3));
    }

    static Stream<Arguments> refusedUuids() {
        return Stream.of(
                Arguments.of("empty", new byte[0], "invalid uuid: empty"),
                Arguments.of("129 emoji", utf8("😀".repeat(129)), "invalid uuid: longer than 128 characters"),
                Arguments.of("a bell", utf8("bell\u0007"), "invalid uuid: contains a control character (U+0007)"),
                Arguments.of("a newline", utf8("two\nlines"), "invalid uuid: contains a control character (U+000A)"),
                Arguments.of("invalid UTF-8", new byte[] {'o', 'k', (byte) 0xC3}, "invalid uuid: not valid UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedUuids")
    void aMalformedUuidIsRefusedWithItsReasonAndClosedOthersUnaffected(String what, byte[] uuid, String reason)
            throws IOException {
        String alice = user("alice");
        String bob = user("bob");
        RawWireClient a = login(alice);
        RawWireClient b = login(bob);
        RawWireClient c = connect();

        c.send(CLIENT_LOGIN, new Proto().bytes(1, uuid).float32(2, 1.0f).int64(3, RawWireClient.now()));

        Fields answer = c.expect(SERVER_ACCEPT_LOGIN, WAIT).fields();
        assertFalse(answer.bool(1), "login=false");
        assertEquals(reason, answer.string(2));
        assertEquals(0, c.assertClosedByServer(WAIT).length, "nothing after the refusal");
        assertNull(presence().get(new String(uuid, StandardCharsets.UTF_8)), "no presence, not even for what the bytes decode to");
        a.send(C2C_TEXT_CHAT, c2c(alice, bob, "unaffected", RawWireClient.now()));
        assertEquals("unaffected", b.expect(C2C_TEXT_CHAT, WAIT).fields().string(3));
    }

    @Test
    void aRecipientInInvalidUtf8ClosesTheSenderAndReachesNobody() throws IOException {
        byte[] broken = invalidUtf8Name();
        String lookalike = new String(broken, StandardCharsets.UTF_8); // "ok\uFFFD x-…": a valid name
        String mallory = user("mallory");
        String witness = user("witness");
        RawWireClient target = login(lookalike);
        RawWireClient m = login(mallory);
        RawWireClient w = login(witness);

        m.send(C2C_TEXT_CHAT, new Proto().string(1, mallory).bytes(2, broken).string(3, "misdelivered?")
                .int64(4, RawWireClient.now()));

        assertEquals(0, m.assertClosedByServer(WAIT).length, "closed without an answer");
        passedThrough(w, witness, target, lookalike); // the next frame at the lookalike is the witness's
        assertEquals(0, harness.stored(OfflineStore.Kind.C2C, lookalike));
    }

    @Test
    void aSenderInInvalidUtf8IsNotTheSessionUserEvenIfItDecodesToIt() throws IOException {
        byte[] broken = invalidUtf8Name();
        String lookalike = new String(broken, StandardCharsets.UTF_8);
        String bob = user("bob");
        String witness = user("witness");
        RawWireClient l = login(lookalike);
        RawWireClient b = login(bob);
        RawWireClient w = login(witness);

        l.send(C2C_TEXT_CHAT, new Proto().bytes(1, broken).string(2, bob).string(3, "from whom?")
                .int64(4, RawWireClient.now()));

        assertEquals(0, l.assertClosedByServer(WAIT).length, "closed as an impersonation");
        passedThrough(w, witness, b, bob);
    }

    private RMap<String, String> presence() {
        return harness.redis().getMap("chat:presence", StringCodec.INSTANCE);
    }

    private RawWireClient connect() throws IOException {
        RawWireClient c = RawWireClient.connect(harness.port());
        clients.add(c);
        return c;
    }

    private RawWireClient login(String uuid) throws IOException {
        RawWireClient c = connect();
        assertTrue(c.login(uuid).bool(1));
        return c;
    }

    /** A cut two-byte sequence inside a name: protobuf would read it as U+FFFD. */
    private static byte[] invalidUtf8Name() {
        return concat(utf8("ok"), new byte[] {(byte) 0xC3}, utf8(" " + user("x")));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
