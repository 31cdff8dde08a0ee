package io.github.chatserver.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.testing.RedisClusterExtension;
import io.github.chatserver.testing.RedisClusterFixture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/** Hash slots and per-slot batches on a real Redis Cluster (3 masters, a replica each). */
@ExtendWith(RedisClusterExtension.class)
class RedisClusterSlotsTest {
    /** Appends ARGV[i] to the list KEYS[i]; answers each list's length. */
    private static final String APPEND = """
            local lengths = {}
            for i = 1, #KEYS do
              lengths[i] = redis.call('RPUSH', KEYS[i], ARGV[i])
            end
            return lengths
            """;

    private static RedissonClient redisson;

    @BeforeAll
    static void connect(RedisClusterFixture cluster) {
        Config config = new Config();
        config.useClusterServers().addNodeAddress(cluster.addresses().toArray(String[]::new)).setReadMode(ReadMode.MASTER);
        redisson = Redisson.create(config);
    }

    @AfterAll
    static void disconnect() {
        redisson.shutdown();
    }

    @Test
    void theSlotComputedHereIsTheSlotRedisComputes() {
        assertEquals(12739, HashSlot.of("123456789"), "CRC16/XModem of the Redis Cluster specification's example");
        List<String> keys = List.of("chat:presence", "chat:{u:alice}:c2c", "chat:{u:alice}:c2c-senders",
                "chat:{u:Jürgen Groß}:gpos", "chat:{u:李小龍}:groups", "chat:{u:🙂 emoji}:c2c",
                "chat:{u:a}b}:c2c", "chat:{u:{x}:groups", "}{tag}", "{}", "a{}b{c}", "{a}{b}", "no tag {", "x}y{",
                "chat:{g:AbCdEfGhIjKlMnOpQrStUv}:log", "chat:inbox:{node-1}", "");
        for (String key : keys) {
            assertEquals(redisson.getKeys().getSlot(key), HashSlot.of(key), "CLUSTER KEYSLOT of '" + key + "'");
        }
        assertTrue(HashSlot.isCluster(redisson));
    }

    @Test
    void aBatchOverManyUsersKeysIsOneCallPerSlotAndNeverCrossSlot() {
        List<String> users = usersWithDistinctSlots(50);
        List<List<String>> calls = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> gate = new CompletableFuture<>();
        RedisPipeline<Item, Long> pipeline = RedisPipeline.perSlot(items -> {
            calls.add(items.stream().map(Item::key).toList());
            return gate.thenCompose(open -> append(items));
        }, Item::key, HashSlot.isCluster(redisson), new InFlight());

        // Two go at once and wait at the gate; the 250 behind them gather into one batch.
        List<CompletableFuture<Long>> results = new ArrayList<>();
        results.add(pipeline.submit(new Item("test:{u:first}:a", "x")).toCompletableFuture());
        results.add(pipeline.submit(new Item("test:{u:first}:b", "y")).toCompletableFuture());
        for (int round = 0; round < 5; round++) {
            for (String user : users) {
                String key = "test:{u:" + user + "}:" + (round % 2 == 0 ? "a" : "b"); // two keys, one tag
                results.add(pipeline.submit(new Item(key, "m" + round)).toCompletableFuture());
            }
        }
        gate.complete(null);
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();

        assertEquals(2 + users.size(), calls.size(), "the batch of 250 left as one call per user's slot");
        for (List<String> call : calls) {
            Set<Integer> slots = new HashSet<>();
            call.forEach(key -> slots.add(HashSlot.of(key)));
            assertEquals(1, slots.size(), "one slot per call: " + call);
        }
        for (List<String> call : calls.subList(2, calls.size())) {
            assertEquals(5, call.size(), "each user's five items in one call: " + call);
        }
        for (String user : users) {
            assertEquals(List.of("m0", "m2", "m4"), redisson.<String>getList("test:{u:" + user + "}:a", StringCodec.INSTANCE).readAll());
            assertEquals(List.of("m1", "m3"), redisson.<String>getList("test:{u:" + user + "}:b", StringCodec.INSTANCE).readAll());
        }
    }

    /** The control: the same items in one call without the split are refused by the cluster. */
    @Test
    void withoutTheSplitTheClusterRefusesTheBatch() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        RedisPipeline<Item, Long> unsplit = new RedisPipeline<>(items -> gate.thenCompose(open -> append(items)),
                new InFlight());
        List<CompletableFuture<Long>> results = new ArrayList<>();
        for (String user : usersWithDistinctSlots(4)) {
            for (int i = 0; i < 3; i++) {
                results.add(unsplit.submit(new Item("control:{u:" + user + "}", "m")).toCompletableFuture());
            }
        }
        gate.complete(null);
        CompletionException refused = null;
        for (CompletableFuture<Long> result : results) {
            try {
                result.orTimeout(30, TimeUnit.SECONDS).join();
            } catch (CompletionException e) {
                refused = e;
            }
        }
        assertTrue(refused != null && String.valueOf(refused.getCause().getMessage()).contains("CROSSSLOT"),
                "a script over several slots: " + refused);
    }

    private record Item(String key, String value) {
    }

    private static CompletionStage<List<Long>> append(List<Item> items) {
        List<Object> keys = new ArrayList<>(items.stream().map(Item::key).toList());
        Object[] values = items.stream().map(Item::value).toArray();
        return redisson.getScript(StringCodec.INSTANCE).<List<Long>>evalAsync(RScript.Mode.READ_WRITE, APPEND,
                RScript.ReturnType.LIST, keys, values);
    }

    /** Users whose tags {u:name} all hash to different slots (so that each is a call of its own). */
    private static List<String> usersWithDistinctSlots(int n) {
        List<String> users = new ArrayList<>();
        Set<Integer> slots = new HashSet<>();
        String run = Long.toHexString(System.nanoTime());
        for (int i = 0; users.size() < n; i++) {
            String user = "user-" + run + "-" + i;
            if (slots.add(HashSlot.of("{u:" + user + "}"))) {
                users.add(user);
            }
        }
        return users;
    }
}
