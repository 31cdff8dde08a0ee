package io.github.chatserver.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The group-commit logic alone: calls are answered by the test, not by Redis. */
class RedisPipelineTest {
    /** Each call the pipeline made: its items, and the future the test completes. */
    private final List<List<Integer>> calls = new ArrayList<>();
    private final List<CompletableFuture<List<String>>> answers = new ArrayList<>();
    private final RedisPipeline<Integer, String> pipeline = new RedisPipeline<>(this::call, new InFlight());

    private synchronized CompletionStage<List<String>> call(List<Integer> items) {
        calls.add(List.copyOf(items));
        CompletableFuture<List<String>> answer = new CompletableFuture<>();
        answers.add(answer);
        return answer;
    }

    private static List<String> echo(List<Integer> items) {
        return items.stream().map(i -> "r" + i).toList();
    }

    @Test
    void itemsThatArriveWhileCallsAreInFlightLeaveTogetherWhenOneReturns() {
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            results.add(pipeline.submit(i).toCompletableFuture());
        }
        // The first two go at once, alone; the other eight wait.
        assertEquals(List.of(List.of(0), List.of(1)), calls);

        answers.get(0).complete(echo(calls.get(0)));

        assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9), calls.get(2), "what waited, in one call, in order");
        assertEquals("r0", results.get(0).join());
        assertFalse(results.get(1).isDone());
        answers.get(1).complete(echo(calls.get(1)));
        answers.get(2).complete(echo(calls.get(2)));
        for (int i = 0; i < 10; i++) {
            assertEquals("r" + i, results.get(i).join(), "each item gets its own result");
        }
        assertEquals(3, calls.size());

        pipeline.submit(10); // idle again: goes at once
        assertEquals(List.of(10), calls.get(3));
    }

    @Test
    void aFailedCallFailsEachOfItsItemsAndTheNextCallStillLeaves() {
        CompletableFuture<String> first = pipeline.submit(1).toCompletableFuture();
        pipeline.submit(2);
        CompletableFuture<String> waiting = pipeline.submit(3).toCompletableFuture();

        answers.get(0).completeExceptionally(new IllegalStateException("Redis is down"));

        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, first::join);
        assertTrue(e.getCause() instanceof IllegalStateException);
        assertEquals(List.of(3), calls.get(2), "the waiting item left when the failed call returned");
        answers.get(2).complete(echo(calls.get(2)));
        assertEquals("r3", waiting.join());
    }

    @Test
    void aCallCarriesAtMostItsLimitOfItems() {
        int total = 2 + RedisPipeline.MAX_ITEMS_PER_CALL + 5;
        for (int i = 0; i < total; i++) {
            pipeline.submit(i);
        }
        answers.get(0).complete(echo(calls.get(0)));
        answers.get(1).complete(echo(calls.get(1)));

        assertEquals(RedisPipeline.MAX_ITEMS_PER_CALL, calls.get(2).size());
        assertEquals(5, calls.get(3).size());
    }

    @Test
    void onAClusterABatchLeavesAsOneCallPerSlotAndReturnsWhenAllHave() {
        List<List<String>> slotCalls = new ArrayList<>();
        List<CompletableFuture<List<String>>> slotAnswers = new ArrayList<>();
        RedisPipeline<String, String> split = RedisPipeline.perSlot(keys -> {
            slotCalls.add(List.copyOf(keys));
            CompletableFuture<List<String>> answer = new CompletableFuture<>();
            slotAnswers.add(answer);
            return answer;
        }, key -> key, true, new InFlight());
        List<String> keys = List.of("first", "chat:{u:ann}:c2c", "chat:{u:bob}:c2c", "chat:{u:ann}:c2c-senders",
                "chat:{u:bob}:c2c", "chat:{u:cy}:c2c", "last");
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (String key : keys) {
            results.add(split.submit(key).toCompletableFuture());
        }
        slotAnswers.get(0).complete(List.of("r-first"));

        // "first" and "chat:{u:ann}:c2c" went alone; the rest waited and leave split by slot, in order.
        assertEquals(List.of(List.of("first"), List.of("chat:{u:ann}:c2c"),
                List.of("chat:{u:bob}:c2c", "chat:{u:bob}:c2c"), List.of("chat:{u:ann}:c2c-senders"),
                List.of("chat:{u:cy}:c2c"), List.of("last")), slotCalls);
        slotAnswers.get(2).complete(List.of("b1", "b2"));
        slotAnswers.get(3).completeExceptionally(new IllegalStateException("this slot's master is failing over"));
        slotAnswers.get(4).complete(List.of("c"));
        assertEquals("b1", results.get(2).join());
        assertEquals("b2", results.get(4).join());
        assertTrue(results.get(3).isCompletedExceptionally(), "only the failed slot's items fail");

        split.submit("waiting");
        assertEquals(6, slotCalls.size(), "the batch has not returned yet: its last slot call is in flight");
        slotAnswers.get(5).complete(List.of("l"));
        assertEquals(List.of("waiting"), slotCalls.get(6), "the batch returned: the next one leaves");
    }

    @Test
    void inOrderKeepsOneCallInFlight() {
        RedisPipeline<Integer, String> serial = RedisPipeline.inOrder(this::call, new InFlight());
        for (int i = 0; i < 5; i++) {
            serial.submit(i);
        }
        assertEquals(List.of(List.of(0)), calls);
        answers.get(0).complete(echo(calls.get(0)));
        assertEquals(List.of(1, 2, 3, 4), calls.get(1));
    }
}
