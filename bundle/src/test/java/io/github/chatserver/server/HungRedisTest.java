package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.testing.PersistentRedis;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The retry buffer against a hung Redis (SIGSTOP): connections are accepted, nothing is answered,
 * and every write times out, which says nothing about its fate (a hung Redis runs what it queued
 * when it resumes). Senders write to offline users until the full buffer refuses them. Every
 * message the server accepted must then be stored exactly once once Redis is back, whether it
 * resumes or is killed and restarted; it may be lost only if the server stops while Redis is still
 * away, and then it is counted, exactly.
 *
 * <p>A sender knows what was accepted without any acknowledgement in the protocol: after each
 * message it sends itself a marker. The server handles a connection's packets in order, so the
 * marker comes back only once the message before it was accepted; a refused message closes the
 * connection instead, and the marker behind it is never handled.
 */
@ExtendWith(RedisExtension.class)
@PersistentRedis
class HungRedisTest {
    /** Small, so that the buffer fills within the first response timeout. */
    private static final int BUFFER = 300;
    private static final int SENDERS = 6;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private RedisServer redis;

    /** What the senders saw: the messages (texts) the server accepted, and the senders it refused. */
    private record Traffic(Set<String> accepted, Set<String> refusedSenders) {
    }

    @AfterEach
    void redisRunsAgain() throws IOException {
        if (redis != null && !redis.isRunning()) {
            redis.restart();
        } else if (redis != null) {
            redis.resume();
        }
    }

    @Test
    void redisHungThenResumedStoresEveryAcceptedMessageOnceAndCountsNothingLost(RedisServer redis) throws Exception {
        this.redis = redis;
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.withRetryBuffer(redis, BUFFER))) {
            List<String> recipients = recipients();
            Traffic traffic = sendUntilRefused(harness, recipients);

            redis.resume(); // it runs the commands it had queued; the retries that follow are idempotent

            awaitBufferEmpty(harness);
            List<String> stored = harness.storedTexts(recipients);
            assertEquals(traffic.accepted(), new HashSet<>(stored), "stored exactly what was accepted");
            assertEquals(traffic.accepted().size(), stored.size(), "each once: no duplicates");
            assertEquals(0, harness.stats().get(Counter.MESSAGES_LOST), "nothing counted lost");
            assertEquals(traffic.accepted().size(), harness.stats().get(Counter.MESSAGES_OFFLINE),
                    "each stored message counted once");
        }
    }

    @Test
    void redisHungThenKilledAndRestartedStoresEveryAcceptedMessage(RedisServer redis) throws Exception {
        this.redis = redis;
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.withRetryBuffer(redis, BUFFER))) {
            List<String> recipients = recipients();
            Traffic traffic = sendUntilRefused(harness, recipients);

            redis.kill(); // what it had queued dies with it
            redis.restart(); // same port, with what it acknowledged before the hang

            awaitBufferEmpty(harness);
            List<String> stored = harness.storedTexts(recipients);
            assertEquals(traffic.accepted(), new HashSet<>(stored), "stored exactly what was accepted");
            assertEquals(traffic.accepted().size(), stored.size(), "each once: no duplicates");
            assertEquals(0, harness.stats().get(Counter.MESSAGES_LOST), "nothing counted lost");
        }
    }

    @Test
    void redisHungThenKilledAndTheServerStoppedCountsExactlyTheAcceptedMessagesAsLost(RedisServer redis)
            throws Exception {
        this.redis = redis;
        try (ServerHarness harness = ServerHarness.start(redis, ServerHarness.withRetryBuffer(redis, BUFFER))) {
            List<String> recipients = recipients();
            Traffic traffic = sendUntilRefused(harness, recipients);

            redis.kill();
            harness.server.stop(); // with Redis still away: the one loss the buffer allows

            redis.restart();
            assertEquals(List.of(), harness.storedTexts(recipients), "Redis never took any of them");
            assertEquals(traffic.accepted().size(), harness.stats().get(Counter.MESSAGES_LOST),
                    "every accepted message counted lost, none more");
        }
    }

    /**
     * Logs the senders in, hangs Redis, and has each send to the recipients, one message after the
     * other, until the server refuses one. Asserts that every sender was refused visibly (its
     * connection closed, one counted refusal each) and that the buffer took as many messages as it
     * has slots: while Redis hangs none leaves it.
     */
    private Traffic sendUntilRefused(ServerHarness harness, List<String> recipients) throws Exception {
        List<String> senders = new ArrayList<>();
        List<ChatClient> clients = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            senders.add(user("sender" + i));
            clients.add(harness.login(senders.get(i))); // logins need Redis: before the hang
        }
        redis.pause();
        Traffic traffic = new Traffic(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                String me = senders.get(i);
                ChatClient client = clients.get(i);
                runs.add(pool.submit(() -> {
                    send(client, me, recipients, traffic);
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(new HashSet<>(senders), traffic.refusedSenders(), "every sender was refused in the end");
        assertEquals(SENDERS, harness.stats().get(Counter.MESSAGES_REFUSED), "one counted refusal per sender");
        assertEquals(BUFFER, traffic.accepted().size(), "accepted as many as the buffer has slots");
        return traffic;
    }

    private static void send(ChatClient client, String me, List<String> recipients, Traffic traffic) throws Exception {
        for (int n = 0; n < 10 * BUFFER; n++) {
            String id = me + "#" + n;
            // One write for both (no Nagle delay between them).
            client.sendRaw(ServerHarness.frames(List.of(text(me, recipients.get(n % recipients.size()), id),
                    text(me, me, "accepted " + id))));
            try {
                assertEquals("accepted " + id, client.receive(PbC2CTextChat.class, WAIT).getTextMsg());
                traffic.accepted().add(id);
            } catch (TimeoutException e) {
                assertFalse(client.isConnected(), "neither accepted nor refused within " + WAIT + ": " + id);
                traffic.refusedSenders().add(me);
                return;
            }
        }
        fail(me + " was never refused");
    }

    private static List<String> recipients() {
        return List.of(user("away0"), user("away1"), user("away2"));
    }

    private static void awaitBufferEmpty(ServerHarness harness) {
        await().atMost(WAIT).until(() -> harness.server.retryBufferReserved() == 0);
    }
}
