package io.github.chatserver.bench;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import io.github.chatserver.server.transport.SteadySelectorProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketConnector;

/**
 * The generator's side of the wire: one MINA connector with one or two I/O threads and no
 * codec filter. Frames are cut out of the read buffers by hand; the hot packet types (chat
 * texts) go to {@link Conn#onChat} without being decrypted or parsed, everything else is
 * decoded. Writes are pre-encoded byte arrays, coalesced by the caller.
 */
final class LoadConnector implements AutoCloseable {
    private static final AttributeKey CONN = new AttributeKey(LoadConnector.class, "conn");

    final Frames frames;
    final Metrics metrics;
    private final NioSocketConnector connector;
    private final ExecutorService ioThreads;
    private volatile boolean closing;

    LoadConnector(int threads, Frames frames, Metrics metrics) {
        this.frames = frames;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        ioThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bench-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SimpleIoProcessorPool<NioSession> pool = new SimpleIoProcessorPool<>(SteadySelectorProcessor.class, (Executor) ioThreads, threads, null);
        connector = new NioSocketConnector(pool);
        connector.setConnectTimeoutMillis(10_000);
        connector.getSessionConfig().setTcpNoDelay(true);
        connector.setHandler(new Handler());
    }

    /** Starts connecting; the connection logs in as soon as it is open. */
    void connect(Conn conn, InetSocketAddress remote, InetSocketAddress local) {
        conn.owner = this;
        conn.connectStart = System.nanoTime();
        conn.loginFrame = frames.encode(PbClientLogin.newBuilder().setUuid(conn.user).setVersion(1.0f)
                .setTimestamp(System.currentTimeMillis() / 1000).build());
        connector.connect(remote, local, (session, future) -> session.setAttribute(CONN, conn))
                .addListener(f -> {
                    org.apache.mina.core.future.ConnectFuture cf = (org.apache.mina.core.future.ConnectFuture) f;
                    if (!cf.isConnected()) {
                        Throwable e = cf.getException();
                        metrics.error("connect_failed" + (e == null ? "" : ":" + e.getClass().getSimpleName()));
                        conn.loginDone(false);
                    }
                });
    }

    /**
     * Connects and logs in every connection, at most {@code perSecond} new connections a second,
     * and waits (at most {@code timeoutMillis}) until every login is answered. Returns how many
     * are logged in.
     */
    int connectAll(List<? extends Conn> conns, InetSocketAddress remote, List<InetSocketAddress> sources,
                   int perSecond, long timeoutMillis, Runnable progress) throws InterruptedException {
        long start = System.nanoTime();
        long interval = perSecond <= 0 ? 0 : 1_000_000_000L / perSecond;
        for (int i = 0; i < conns.size(); i++) {
            if (interval > 0) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            InetSocketAddress local = sources == null || sources.isEmpty() ? null : sources.get(i % sources.size());
            connect(conns.get(i), remote, local);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int done;
        while ((done = (int) conns.stream().filter(c -> c.loginAnswered).count()) < conns.size()
                && System.nanoTime() < deadline) {
            if (progress != null) {
                progress.run();
            }
            Thread.sleep(20);
        }
        int ok = (int) conns.stream().filter(c -> c.loggedIn).count();
        if (done < conns.size()) {
            metrics.errors("login_timeout", conns.size() - done);
        }
        return ok;
    }

    /** Stops counting closes as errors: the run is over. */
    void closing() {
        closing = true;
    }

    @Override
    public void close() {
        closing = true;
        connector.dispose(true);
        ioThreads.shutdownNow();
    }

    private final class Handler extends IoHandlerAdapter {
        @Override
        public void sessionOpened(IoSession session) {
            Conn c = (Conn) session.getAttribute(CONN);
            c.session = session;
            session.write(IoBuffer.wrap(c.loginFrame));
        }

        @Override
        public void messageReceived(IoSession session, Object message) {
            Conn c = (Conn) session.getAttribute(CONN);
            if (!c.ioThreadKnown) {
                c.ioThreadKnown = true;
                metrics.generatorThread();
            }
            long now = System.nanoTime();
            IoBuffer in = (IoBuffer) message;
            try {
                while (in.hasRemaining()) {
                    if (c.carryLen > 0 || in.remaining() < Frames.HEADER) {
                        if (!c.carry(in, LoadConnector.this, now)) {
                            break;
                        }
                        continue;
                    }
                    int pos = in.position();
                    int length = in.getInt(pos);
                    if (length < Frames.HEADER || length > Conn.MAX_FRAME) {
                        metrics.error("bad_frame_length");
                        session.closeNow();
                        return;
                    }
                    if (in.remaining() < length) {
                        c.carry(in, LoadConnector.this, now);
                        break;
                    }
                    handle(c, in, pos, length, now);
                    in.position(pos + length);
                }
                c.onReadDone(now);
            } catch (RuntimeException e) {
                metrics.error("client_" + e.getClass().getSimpleName());
                session.closeNow();
            }
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            if (!closing) {
                metrics.error("io_" + cause.getClass().getSimpleName());
            }
            session.closeNow();
        }

        @Override
        public void sessionClosed(IoSession session) {
            Conn c = (Conn) session.getAttribute(CONN);
            if (c == null) {
                return;
            }
            c.closed = true;
            if (!closing && !c.closeExpected) {
                metrics.error(c.loginAnswered ? "closed_by_server" : "closed_before_login");
            }
            c.loginDone(false);
            c.onClosed();
        }
    }

    /** One frame, complete in {@code buf} at {@code pos}. */
    void handle(Conn c, IoBuffer buf, int pos, int length, long now) {
        int type = buf.getInt(pos + 4);
        if (c.isHot(type)) {
            c.onChat(type, buf, pos + Frames.HEADER, length - Frames.HEADER, now);
            return;
        }
        Packet p;
        try {
            p = frames.decode(type, buf, pos + Frames.HEADER, length - Frames.HEADER);
        } catch (Exception e) {
            metrics.error("undecodable_type_" + type);
            return;
        }
        if (p == null) {
            metrics.error("unknown_type_" + type);
            return;
        }
        if (p.body() instanceof PbServerAcceptLogin answer) {
            if (!answer.getLogin()) {
                metrics.error("login_refused");
                if (c.refusal == null) {
                    c.refusal = answer.getTipsMsg();
                }
            }
            c.onLogin(answer.getLogin(), now);
            c.loginDone(answer.getLogin());
            return;
        }
        c.onPacket(p, now);
    }
}
