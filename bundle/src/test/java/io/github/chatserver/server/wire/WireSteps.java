package io.github.chatserver.server.wire;

import io.github.chatserver.server.wire.RawWireClient.Fields;
import io.github.chatserver.server.wire.RawWireClient.Frame;
import io.github.chatserver.server.wire.RawWireClient.Proto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.github.chatserver.server.wire.RawWireClient.CLIENT_BUILD_GROUP;
import static io.github.chatserver.server.wire.RawWireClient.CLIENT_JOIN_GROUP;
import static io.github.chatserver.server.wire.RawWireClient.C2C_TEXT_CHAT;
import static io.github.chatserver.server.wire.RawWireClient.SERVER_NOTIFY_BUILD_GROUP;
import static io.github.chatserver.server.wire.RawWireClient.SERVER_NOTIFY_JOIN_GROUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Steps of a conversation over {@link RawWireClient}, shared by the wire-level tests. */
final class WireSteps {
    static final Duration WAIT = Duration.ofSeconds(5);

    private WireSteps() {
    }

    /**
     * The sender's next packet, a text to an online witness, arrived: the server has handled the
     * sender's earlier packets (a connection's packets are handled in order), so a recipient who
     * logs in now cannot overtake them and get them live instead of stored.
     */
    static void passedThrough(RawWireClient sender, String senderUuid, RawWireClient witness, String witnessUuid)
            throws IOException {
        sender.send(C2C_TEXT_CHAT, c2c(senderUuid, witnessUuid, "marker", RawWireClient.now()));
        assertEquals("marker", witness.expect(C2C_TEXT_CHAT, WAIT).fields().string(3));
    }

    /** Builds a group, asserting the type 14 answer, and returns its id. */
    static String buildGroup(RawWireClient owner, String ownerUuid, String name) throws IOException {
        owner.send(CLIENT_BUILD_GROUP, new Proto().string(1, name).int64(2, RawWireClient.now()));
        Fields f = owner.expect(SERVER_NOTIFY_BUILD_GROUP, WAIT).fields();
        assertTrue(f.bool(1), "build refused: " + f);
        assertEquals(ownerUuid, f.string(4));
        return f.string(2);
    }

    /** Joins and consumes the type 18 notices at the newcomer and at the given online members. */
    static void join(RawWireClient member, String memberUuid, String group, RawWireClient... others)
            throws IOException {
        member.send(CLIENT_JOIN_GROUP, new Proto().string(1, memberUuid).string(2, group).int64(4, RawWireClient.now()));
        List<RawWireClient> told = new ArrayList<>(List.of(others));
        told.add(member);
        for (RawWireClient c : told) {
            Fields f = c.expect(SERVER_NOTIFY_JOIN_GROUP, WAIT).fields();
            assertEquals(memberUuid, f.string(1));
            assertEquals(group, f.string(2));
        }
    }

    /**
     * Asks for stored messages until the first arrives: storing is asynchronous and the contract
     * gives no acknowledgement of it, so a request may come before the message is stored.
     * Only blocking reads with a timeout wait here.
     */
    static Frame pollStored(RawWireClient c, int requestType, String user, int responseType) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            c.send(requestType, new Proto().string(1, user).int64(2, RawWireClient.now()));
            Optional<Frame> f = c.readWithin(Duration.ofMillis(300));
            if (f.isPresent()) {
                assertEquals(responseType, f.get().type(), "answer to a type " + requestType + ": " + f.get());
                return f.get();
            }
        }
        return fail("no stored message served to " + user + " within 10 s");
    }

    static Proto c2c(String from, String to, String text, long timestamp) {
        return new Proto().string(1, from).string(2, to).string(3, text).int64(4, timestamp);
    }

    static Proto groupText(String from, String group, String text, long timestamp) {
        return new Proto().string(1, from).string(2, group).string(3, text).int64(4, timestamp);
    }

    /** A user name no other test uses. */
    static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
