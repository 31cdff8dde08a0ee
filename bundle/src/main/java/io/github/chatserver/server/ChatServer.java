package io.github.chatserver.server;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.ChatCodecFactory;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.handler.ChatIoHandler;
import io.github.chatserver.server.handler.ServerContext;
import io.github.chatserver.server.session.SessionRegistry;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.storage.RedisStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running chat server: a MINA acceptor, its Redis connection and its timers. Plain Java, so
 * it runs the same in Karaf (through {@link ChatServerComponent}) and in tests.
 */
public final class ChatServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChatServer.class);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final ServerSettings settings;
    private final ServerStats stats;
    private final SessionRegistry sessions = new SessionRegistry();
    private RedisStore store;
    private ScheduledExecutorService timers;
    private NioSocketAcceptor acceptor;

    public ChatServer(ServerSettings settings, ServerStats stats) {
        this.settings = settings;
        this.stats = stats;
    }

    /** Connects to Redis and binds the listener. On failure nothing is left running. */
    public synchronized void start() throws IOException {
        store = RedisStore.connect(settings);
        try {
            timers = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "chatserver-timers");
                t.setDaemon(true);
                return t;
            });
            BodyCipher cipher = settings.bodyCipher();
            ServerContext context = new ServerContext(settings, cipher, store, sessions, stats, timers);
            acceptor = new NioSocketAcceptor();
            acceptor.setReuseAddress(true);
            acceptor.setCloseOnDeactivation(true);
            acceptor.getSessionConfig().setTcpNoDelay(true);
            acceptor.getFilterChain().addLast("codec",
                    new ProtocolCodecFilter(new ChatCodecFactory(cipher, settings.maxFrameLength())));
            acceptor.setHandler(new ChatIoHandler(context));
            acceptor.bind(new InetSocketAddress(settings.bindAddress(), settings.port()));
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("Chat server node '{}' listening on {} (cipher {}, Redis {})", settings.nodeId(),
                localAddress(), settings.cipher(), settings.redisAddress());
    }

    /** Closes every session, releases the port, then lets Redis work in flight finish. */
    public synchronized void stop() {
        if (acceptor != null) {
            for (IoSession session : acceptor.getManagedSessions().values()) {
                session.closeNow();
            }
            acceptor.unbind();
            acceptor.dispose(true);
            acceptor = null;
        }
        if (timers != null) {
            timers.shutdownNow();
            timers = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Where the listener is bound; with port 0 this tells the port picked. */
    public synchronized InetSocketAddress localAddress() {
        return acceptor == null ? null : (InetSocketAddress) acceptor.getLocalAddress();
    }

    public ServerStats stats() {
        return stats;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public ServerSettings settings() {
        return settings;
    }

    /** Waits until every session's close has been processed (tests, graceful stop). */
    public boolean awaitNoSessions(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        NioSocketAcceptor a;
        synchronized (this) {
            a = acceptor;
        }
        while (a != null && a.getManagedSessionCount() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
