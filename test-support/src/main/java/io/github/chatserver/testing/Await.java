package io.github.chatserver.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes. A condition that cannot be checked yet
 * (a node not answering, an error reply) counts as not met; the last such error goes into the
 * failure message, together with the fixture's diagnostics (the tails of its logs).
 */
final class Await {
    /** Each poll may open a connection to every node: often enough, without loading a busy machine. */
    private static final long POLL_INTERVAL_MS = 200;

    /** A condition on live processes; checking it may fail while they come up or go down. */
    @FunctionalInterface
    interface Condition {
        boolean met() throws IOException;
    }

    private Await() {
    }

    /** Returns how long it took; throws {@link IllegalStateException} naming {@code what} at the deadline. */
    static Duration until(String what, Duration timeout, Condition condition, Supplier<String> diagnostics) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        IOException lastError = null;
        while (true) {
            try {
                if (condition.met()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (IOException e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not within " + timeout.toSeconds() + " s"
                        + (lastError == null ? "" : " (last error: " + lastError.getMessage() + ")")
                        + "\n" + diagnostics.get());
            }
            try {
                Thread.sleep(POLL_INTERVAL_MS); // poll interval, not synchronization: the condition decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while awaiting: " + what, e);
            }
        }
    }
}
