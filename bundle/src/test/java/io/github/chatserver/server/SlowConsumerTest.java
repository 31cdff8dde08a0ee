package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ChatConnector;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.server.config.OverloadSettings;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore.Kind;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.NO_OVERLOAD_LIMITS;
import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that does not read is closed once more than {@code maxQueuedOutboundBytes} wait to be
 * written to it, and loses nothing: what was not written is stored and served on its next login.
 */
@ExtendWith(RedisExtension.class)
class SlowConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Room for a batch of stored messages (100 of these) to a client that does read. */
    private static final long CAP = 256 * 1024;
    /** How long a full queue may take to drain before the session is closed without it. */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(1);
    /** Far more than the kernel buffers of a reader with an 8 KB receive buffer hold, plus the cap. */
    private static final int MAX_MESSAGES = 20_000;

    private static ServerSettings cap(RedisServer redis) {
        OverloadSettings o = NO_OVERLOAD_LIMITS;
        return ServerHarness.settings(redis).withOverload(new OverloadSettings(o.maxConnections(),
                o.maxConnectionsPerAddress(), o.connectionsPerSecondPerAddress(), o.connectionBurstPerAddress(),
                o.packetsPerSecond(), o.bytesPerSecond(), DRAIN_GRACE, CAP, o.storageRetryBuffer()));
    }

    private static String gaps(List<Integer> list) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < list.size(); i++) {
            if (list.get(i) != list.get(i - 1) + 1) {
                b.append(list.get(i - 1)).append("->").append(list.get(i)).append(' ');
            }
        }
        return b.toString();
    }

    private static int number(String text) {
        return Integer.parseInt(text.substring(0, text.indexOf(':')));
    }

    @Test
    void aClientThatNeverReadsIsClosedAtTheCapAndItsMessagesAreServedLaterWithoutLoss(RedisServer redis)
            throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, cap(redis));
             ChatConnector smallBuffer = ChatConnector.legacy().receiveBufferSize(8192)) {
            String gus = user("gus");
            String sender = user("sender");
            ChatClient s = harness.login(sender);
            ChatClient stuck = smallBuffer.connect("127.0.0.1", harness.port());
            assertTrue(stuck.login(gus).getLogin());
            stuck.pauseReading(); // never reads again: the server's writes to it pile up
            String padding = "x".repeat(1000);

            int sent = 0;
            while (harness.stats().get(Counter.SLOW_CONSUMERS_CLOSED) == 0 && sent < MAX_MESSAGES) {
                s.send(text(sender, gus, sent++ + ":" + padding));
            }
            assertEquals(1, harness.stats().get(Counter.SLOW_CONSUMERS_CLOSED), "closed after " + sent + " messages");
            for (int i = 0; i < 20; i++) { // the sender carries on; these find gus closing or gone
                s.send(text(sender, gus, sent++ + ":" + padding));
            }
            int total = sent;

            // What reached the stuck client's socket before the close is still there for it to read.
            stuck.resumeReading();
            assertTrue(stuck.awaitClosed(WAIT));
            List<Integer> online = new ArrayList<>();
            for (Packet p = stuck.poll(Duration.ZERO); p != null; p = stuck.poll(Duration.ZERO)) {
                online.add(number(p.body(PbC2CTextChat.class).getTextMsg()));
            }
            // Every message is either written to the old connection or stored, once settled.
            await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, gus) + online.size() >= total);
            int stored = harness.stored(Kind.C2C, gus);
            assertTrue(stored > 0, "messages were queued when it was closed");

            ChatClient again = harness.login(gus);
            again.send(PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(gus).setTimestamp(ChatClient.now()).build());
            List<Integer> later = new ArrayList<>();
            for (int i = 0; i < stored; i++) {
                later.add(number(again.receive(PbServerResponseC2COfflineMsg.class, WAIT).getTextMsg()));
            }

            for (int i = 0; i < online.size(); i++) {
                assertEquals(i, online.get(i), "the old connection got a prefix, in order; gaps: " + gaps(online));
            }
            int firstLater = later.get(0);
            assertTrue(firstLater <= online.size() && firstLater >= online.size() - 1,
                    "the stored ones start where the written ones end (at most the last written is stored too): "
                            + online.size() + " written, stored from " + firstLater);
            for (int i = 0; i < later.size(); i++) {
                assertEquals(firstLater + i, later.get(i), "stored in send order, none missing");
            }
            assertEquals(total - 1, later.get(later.size() - 1), "nothing lost: " + total + " sent");
            await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, gus) == 0);
            assertEquals(1, harness.stats().get(Counter.SLOW_CONSUMERS_CLOSED), "the reading client was not closed");
            System.out.println("SLOW CONSUMER closed after " + sent + " messages; written " + online.size()
                    + ", stored " + stored);
        }
    }
}
