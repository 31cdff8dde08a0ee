package io.github.chatserver.server.auth;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LoginBackoffTest {
    private final AtomicLong clock = new AtomicLong();
    private final LoginBackoff backoff = new LoginBackoff(Duration.ofMillis(250), Duration.ofSeconds(5),
            Duration.ofMinutes(1), clock::get);

    @Test
    void theDelayDoublesPerRecentFailureUpToTheMaximum() {
        long[] expected = {250, 500, 1000, 2000, 4000, 5000, 5000};
        for (long millis : expected) {
            assertEquals(Duration.ofMillis(millis), backoff.failed("10.0.0.1"));
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(Duration.ofSeconds(5), backoff.failed("10.0.0.1"), "no overflow after many failures");
        }
    }

    @Test
    void eachAddressHasItsOwnCount() {
        backoff.failed("10.0.0.1");
        backoff.failed("10.0.0.1");

        assertEquals(Duration.ofMillis(250), backoff.failed("10.0.0.2"));
        assertEquals(Duration.ofMillis(1000), backoff.failed("10.0.0.1"));
    }

    @Test
    void aMinuteWithoutFailuresStartsOver() {
        backoff.failed("10.0.0.1");
        backoff.failed("10.0.0.1");
        clock.addAndGet(Duration.ofSeconds(59).toNanos());
        assertEquals(Duration.ofMillis(1000), backoff.failed("10.0.0.1"), "59 s later it still counts");

        clock.addAndGet(Duration.ofSeconds(60).toNanos());
        assertEquals(Duration.ofMillis(250), backoff.failed("10.0.0.1"));
    }

    @Test
    void pruningForgetsQuietAddressesOnly() {
        backoff.failed("10.0.0.1");
        clock.addAndGet(Duration.ofSeconds(30).toNanos());
        backoff.failed("10.0.0.2");
        clock.addAndGet(Duration.ofSeconds(31).toNanos());

        backoff.prune();

        assertEquals(1, backoff.tracked());
        assertEquals(Duration.ofMillis(500), backoff.failed("10.0.0.2"));
    }

    @Test
    void aZeroBaseDelayDisablesTheBackoff() {
        LoginBackoff none = new LoginBackoff(Duration.ZERO, Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            assertEquals(Duration.ZERO, none.failed("10.0.0.1"));
        }
    }
}
