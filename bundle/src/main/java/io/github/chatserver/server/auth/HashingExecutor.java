package io.github.chatserver.server.auth;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mina.core.service.IoService;
import org.apache.mina.core.service.IoServiceListener;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;

/**
 * The few threads that run password hashing, so that no MINA I/O thread and no Redis thread ever
 * spends 50-100 ms of CPU on a login. Bounded twice: at most half the cores hash at once (chat
 * traffic keeps the rest during a login storm), and at most {@code queueCapacity} logins wait; a
 * login beyond that is refused as busy ({@link java.util.concurrent.RejectedExecutionException}).
 *
 * <p>It lives as long as the server's listener: {@link #followLifeOf(IoService)} shuts it down when
 * MINA reports the service deactivated (the server unbinds when it stops). Its threads are created
 * on demand and end after {@link #KEEP_ALIVE_SECONDS} idle, so a server that sees no password
 * login holds no thread for it.
 */
public final class HashingExecutor implements Executor, AutoCloseable {
    static final int KEEP_ALIVE_SECONDS = 30;
    public static final int DEFAULT_QUEUE_CAPACITY = 256;

    private final ThreadPoolExecutor pool;
    private final Set<IoService> followed = ConcurrentHashMap.newKeySet();

    public HashingExecutor(int threads, int queueCapacity) {
        AtomicInteger count = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, "chatserver-auth-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
    }

    /** Half the cores, at least one. */
    public static HashingExecutor withDefaults() {
        return new HashingExecutor(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), DEFAULT_QUEUE_CAPACITY);
    }

    /** @throws java.util.concurrent.RejectedExecutionException if the queue is full or it was shut down */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** Shuts down when the service is deactivated; idempotent, cheap to call for every new session. */
    public void followLifeOf(IoService service) {
        if (service == null || !followed.add(service)) {
            return;
        }
        service.addListener(new IoServiceListener() {
            @Override
            public void serviceActivated(IoService s) {
            }

            @Override
            public void serviceIdle(IoService s, IdleStatus idleStatus) {
            }

            @Override
            public void serviceDeactivated(IoService s) {
                close();
            }

            @Override
            public void sessionCreated(IoSession session) {
            }

            @Override
            public void sessionClosed(IoSession session) {
            }

            @Override
            public void sessionDestroyed(IoSession session) {
            }
        });
        if (!service.isActive() || service.isDisposing()) {
            close(); // deactivated while the listener was being added
        }
    }

    /** Lets queued checks run (they find their sessions closed and return at once), takes no new ones. */
    @Override
    public void close() {
        pool.shutdown();
    }

    /** How many checks wait for a thread. */
    int queued() {
        return pool.getQueue().size();
    }

    public boolean isShutdown() {
        return pool.isShutdown();
    }
}
