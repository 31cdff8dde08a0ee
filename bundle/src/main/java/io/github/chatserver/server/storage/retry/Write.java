package io.github.chatserver.server.storage.retry;

import java.util.Collection;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One write the {@link RetryBuffer} keeps until Redis takes it. {@link #attempt()} must be
 * idempotent: a write whose answer was lost (Redis timed out or stopped after executing it) is sent
 * again.
 *
 * @param <R> what a successful attempt completes with, handed to {@link #done}
 */
public interface Write<R> {
    /**
     * How many buffer slots it takes: the messages it stores. 0 for a small control write (a
     * removal, a presence release), which is bounded by a separate pool of {@code capacity}
     * slots, so a full buffer of messages never keeps a session's presence from being released.
     */
    int weight();

    /** The offline queues it writes (keys); a delivery from one of them waits until it is done. */
    Collection<String> queues();

    /** Sends it once. */
    CompletionStage<? extends R> attempt();

    /** Redis took it: {@code result} is what the successful attempt completed with. */
    default void done(R result) {
    }

    /** It will never be written: refused for good, or the server stopped while Redis still failed. */
    default void abandoned(String why) {
    }

    /** A control write (weight 0) with no callbacks: a removal, a presence release. */
    static Write<Object> control(Collection<String> queues, Supplier<? extends CompletionStage<?>> attempt) {
        return new Write<>() {
            @Override
            public int weight() {
                return 0;
            }

            @Override
            public Collection<String> queues() {
                return queues;
            }

            @Override
            public CompletionStage<?> attempt() {
                return attempt.get();
            }
        };
    }
}
