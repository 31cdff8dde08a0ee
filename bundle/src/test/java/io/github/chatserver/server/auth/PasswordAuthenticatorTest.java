package io.github.chatserver.server.auth;

import io.github.chatserver.server.auth.Authenticator.Verdict;
import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.storage.UserStore;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where and how much password checking runs: on the hashing threads, bounded, skipped for gone clients. */
@ExtendWith(RedisExtension.class)
class PasswordAuthenticatorTest {
    private static RedissonClient redisson;
    private static UserStore users;
    private final PasswordHasher hasher = new PasswordHasher(AuthSettings.MIN_ITERATIONS);
    private final HashingExecutor hashing = new HashingExecutor(1, 1);
    private final PasswordAuthenticator authenticator = new PasswordAuthenticator(users, hasher, hashing);

    @BeforeAll
    static void connect(RedisServer redis) {
        Config config = new Config();
        config.useSingleServer().setAddress(redis.address());
        redisson = Redisson.create(config);
        users = new UserStore(redisson);
    }

    @AfterAll
    static void disconnect() {
        redisson.shutdown();
    }

    @AfterEach
    void stopHashing() {
        hashing.close();
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theHashIsComputedOnAHashingThreadNeverOnTheCallersOrRedissons() throws Exception {
        get(users.register("frank", hasher.hash("frank's password".toCharArray())));
        AtomicReference<String> checkedOn = new AtomicReference<>();

        Verdict verdict = get(authenticator.authenticate("frank", "frank's password", () -> {
            checkedOn.set(Thread.currentThread().getName());
            return true;
        }));

        assertTrue(verdict.accepted());
        assertTrue(checkedOn.get().startsWith("chatserver-auth-"), "checked on " + checkedOn.get());
        assertFalse(get(authenticator.authenticate("frank", "wrong", () -> true)).accepted());
        assertEquals("no such user", get(authenticator.authenticate("nobody", "frank's password", () -> true)).detail());
    }

    @Test
    void whenTheThreadsAndTheQueueAreFullALoginIsRejectedAsBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Verdict> first = authenticator.authenticate("someone", "pw", () -> {
            running.countDown();
            await(release);
            return true;
        }).toCompletableFuture();
        assertTrue(running.await(10, TimeUnit.SECONDS), "the first check occupies the only thread");
        CompletableFuture<Verdict> queued = authenticator.authenticate("someone", "pw", () -> true).toCompletableFuture();
        org.awaitility.Awaitility.await().until(() -> hashing.queued() == 1);

        ExecutionException busy = assertThrows(ExecutionException.class,
                () -> authenticator.authenticate("someone", "pw", () -> true).toCompletableFuture().get(10, TimeUnit.SECONDS));

        assertInstanceOf(RejectedExecutionException.class, busy.getCause());
        release.countDown();
        assertFalse(first.get(10, TimeUnit.SECONDS).accepted());
        assertFalse(queued.get(10, TimeUnit.SECONDS).accepted());
    }

    @Test
    void aClientThatLeftBeforeItsTurnCostsNoHash() {
        ExecutionException gone = assertThrows(ExecutionException.class,
                () -> authenticator.authenticate("someone", "pw", () -> false).toCompletableFuture().get(10, TimeUnit.SECONDS));

        assertInstanceOf(CancellationException.class, gone.getCause());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
