package io.github.chatserver.server;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.ChatCodecFactory;
import io.github.chatserver.server.config.OverloadSettings;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.config.TlsSettings;
import io.github.chatserver.server.handler.ChatIoHandler;
import io.github.chatserver.server.handler.ServerContext;
import io.github.chatserver.server.session.SessionRegistry;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.storage.RedisStore;
import io.github.chatserver.server.transport.ConnectionLimitFilter;
import io.github.chatserver.server.transport.RateLimitFilter;
import io.github.chatserver.server.transport.SlowConsumerFilter;
import io.github.chatserver.server.transport.TlsContexts;
import io.github.chatserver.server.transport.SteadySelectorProcessor;
import io.github.chatserver.server.transport.TlsFilter;
import io.github.chatserver.server.transport.WriteCoalescingFilter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.mina.core.filterchain.DefaultIoFilterChainBuilder;
import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running chat server: its listeners (MINA acceptors), its Redis connection and its timers.
 * Plain Java, so it runs the same in Karaf (through {@link ChatServerComponent}) and in tests.
 *
 * <p>With {@code tls=off} there is one plain listener on {@code port}; with {@code separate} a
 * plain one on {@code port} and a TLS one on {@code tlsPort}; with {@code only} one TLS listener
 * on {@code port}. A plain listener's bodies use {@code cipher}, a TLS listener's {@code
 * tlsCipher}. The listeners share the handler, so users on both chat with each other. Each
 * connection's filter chain, from the socket up:
 * <pre>
 *   connections  ConnectionLimitFilter  refuse over maxConnections / per address / per second (shared)
 *   tls          TlsFilter              TLS listener only
 *   rate         RateLimitFilter        packets and bytes per second per session
 *   slowConsumer SlowConsumerFilter     close a session whose unwritten bytes pass maxQueuedOutboundBytes
 *   codec        ProtocolCodecFilter    frames and body cipher of the listener
 * </pre>
 */
public final class ChatServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChatServer.class);
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    private static final long SOURCE_SWEEP_SECONDS = 10;

    private volatile ServerSettings settings;
    private final ServerStats stats;
    private final SessionRegistry sessions = new SessionRegistry();
    private RedisStore store;
    private ScheduledExecutorService timers;
    private ConnectionLimitFilter connectionLimit;
    private RateLimitFilter rateLimit;
    private SlowConsumerFilter slowConsumer;
    private ChatIoHandler handler;
    private final List<Listener> listeners = new ArrayList<>();

    /** One bound acceptor. */
    private record Listener(NioSocketAcceptor acceptor, SimpleIoProcessorPool<NioSession> processors, boolean tls,
                            String cipher) {
        InetSocketAddress address() {
            return (InetSocketAddress) acceptor.getLocalAddress();
        }

        @Override
        public String toString() {
            return (tls ? "TLS " : "plain ") + address() + " (cipher " + cipher + ")";
        }
    }

    public ChatServer(ServerSettings settings, ServerStats stats) {
        this.settings = settings;
        this.stats = stats;
    }

    /** Connects to Redis and binds the listeners. On failure nothing is left running. */
    public synchronized void start() throws IOException {
        store = RedisStore.connect(settings);
        try {
            timers = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "chatserver-timers");
                t.setDaemon(true);
                return t;
            });
            TlsSettings tls = settings.tls();
            SSLContext ssl = tls.enabled() ? TlsContexts.serverContext(tls) : null;
            BodyCipher plainCipher = settings.bodyCipher();
            // One instance when both listeners use the same cipher: frames then need no second encryption.
            BodyCipher tlsCipher = tls.cipher().equals(settings.cipher()) ? plainCipher
                    : BodyCipher.forMode(tls.cipher(), settings.cipherKey());
            boolean plainListener = !TlsSettings.ONLY.equals(tls.mode());

            ServerContext context = new ServerContext(settings, plainListener ? plainCipher : tlsCipher, store,
                    sessions, stats, timers);
            handler = new ChatIoHandler(context);
            OverloadSettings overload = settings.overload();
            connectionLimit = new ConnectionLimitFilter(overload, stats);
            timers.scheduleWithFixedDelay(connectionLimit::forgetIdleSources, SOURCE_SWEEP_SECONDS,
                    SOURCE_SWEEP_SECONDS, TimeUnit.SECONDS);
            RateLimitFilter rate = new RateLimitFilter(overload, stats, timers);
            rateLimit = rate;
            slowConsumer = new SlowConsumerFilter(overload.maxQueuedOutboundBytes(),
                    overload.throttleGrace(), stats, timers);

            if (plainListener) {
                bind(settings.port(), null, plainCipher, handler, rate, slowConsumer);
            }
            if (ssl != null) {
                bind(plainListener ? tls.port() : settings.port(), new TlsFilter(ssl, tls.protocols(), stats),
                        tlsCipher, handler, rate, slowConsumer);
            }
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("Chat server node '{}' listening on {} (Redis {})", settings.nodeId(), listeners,
                settings.redisDescription());
    }

    private void bind(int port, TlsFilter tls, BodyCipher cipher, ChatIoHandler handler, RateLimitFilter rate,
                      SlowConsumerFilter slowConsumer) throws IOException {
        SimpleIoProcessorPool<NioSession> processors =
                new SimpleIoProcessorPool<>(SteadySelectorProcessor.class, settings.ioProcessors());
        NioSocketAcceptor acceptor = new NioSocketAcceptor(processors);
        listeners.add(new Listener(acceptor, processors, tls != null, cipher.mode()));
        acceptor.setReuseAddress(true);
        // stop() closes the sessions itself, with a bounded wait: MINA's own close-on-unbind waits
        // forever for a session that does not close (seen under load).
        acceptor.setCloseOnDeactivation(false);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        DefaultIoFilterChainBuilder chain = acceptor.getFilterChain();
        chain.addLast("connections", connectionLimit);
        if (tls != null) {
            chain.addLast("tls", tls);
        }
        chain.addLast("rate", rate);
        chain.addLast("slowConsumer", slowConsumer);
        chain.addLast("coalesce", new WriteCoalescingFilter());
        chain.addLast("codec", new ProtocolCodecFilter(new ChatCodecFactory(cipher, settings.maxFrameLength())));
        acceptor.setHandler(handler);
        acceptor.bind(new InetSocketAddress(settings.bindAddress(), port));
    }

    /**
     * Applies {@code next} without touching the listeners or the sessions, if it differs from the
     * running settings only in what {@link ServerSettings#appliesInPlace} allows: sessions opened
     * from now on use it (limits, timeouts, offline policy, login failure delays, overload limits),
     * connected sessions stay connected. The connection limits apply at once to every address,
     * also to those already seen. Returns false, changing nothing, when it needs a rebind
     * (the caller then stops this server and starts a new one) or this server is not running.
     */
    public synchronized boolean reconfigure(ServerSettings next) {
        if (handler == null || listeners.isEmpty() || !settings.appliesInPlace(next)) {
            return false;
        }
        handler.reconfigure(next);
        OverloadSettings overload = next.overload();
        connectionLimit.update(overload);
        rateLimit.update(overload);
        slowConsumer.update(overload.maxQueuedOutboundBytes(), overload.throttleGrace());
        settings = next;
        LOG.info("Chat server node '{}' applied a new configuration in place; listeners {} stay bound, {} session(s) stay connected",
                next.nodeId(), listeners, stats.openConnections());
        return true;
    }

    /** Closes every session, releases the ports, then lets Redis work in flight finish. */
    public synchronized void stop() {
        // 1. No new connections; 2. close every session and wait (bounded) until their close was
        // handled, so presence releases and the offline storage of unwritten messages are issued;
        // 3. release the ports; 4. let Redis work in flight finish, then disconnect.
        for (Listener listener : listeners) {
            listener.acceptor().unbind();
        }
        for (Listener listener : listeners) {
            for (IoSession session : listener.acceptor().getManagedSessions().values()) {
                session.closeNow();
            }
        }
        boolean closed;
        try {
            closed = awaitNoSessions(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = false;
        }
        if (!closed) {
            LOG.warn("{} connection(s) did not close within {} ms; stopping anyway", stats.openConnections(),
                    CLOSE_WAIT_MILLIS);
        }
        for (Listener listener : listeners) {
            listener.acceptor().dispose(false);
            listener.processors().dispose(); // given to the acceptor, so not disposed by it
        }
        listeners.clear();
        connectionLimit = null;
        rateLimit = null;
        slowConsumer = null;
        handler = null;
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

    /**
     * Where the listener on {@code port} is bound (the plain one, or the TLS one with {@code
     * tls=only}); with port 0 this tells the port picked.
     */
    public synchronized InetSocketAddress localAddress() {
        return listeners.isEmpty() ? null : listeners.get(0).address();
    }

    /** Where the TLS listener is bound ({@code tlsPort}, or {@code port} with {@code tls=only}); null without TLS. */
    public synchronized InetSocketAddress tlsAddress() {
        return listeners.stream().filter(Listener::tls).findFirst().map(Listener::address).orElse(null);
    }

    /** Connections admitted by the overload protection and not yet closed, over all listeners. */
    public synchronized int connections() {
        return connectionLimit == null ? 0 : connectionLimit.connections();
    }

    /** Message slots held by the retry buffer now (messages waiting for Redis or in a first attempt); 0 when stopped. */
    public synchronized int retryBufferReserved() {
        return store == null ? 0 : store.retries().reserved();
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

    /**
     * Waits until the handler has processed the close of every connection (stop, tests). MINA has
     * no event for that, so this polls the handler's own count.
     */
    public boolean awaitNoSessions(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (stats.openConnections() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
