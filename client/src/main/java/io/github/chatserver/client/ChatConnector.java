package io.github.chatserver.client;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.ChatCodecFactory;
import io.github.chatserver.codec.FrameHeader;
import io.github.chatserver.codec.Packet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.filter.ssl.SslEvent;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.nio.NioSocketConnector;

/**
 * Opens {@link ChatClient} connections that share one MINA connector (one I/O thread), so a
 * test or tool can hold hundreds of clients without hundreds of threads.
 */
public final class ChatConnector implements AutoCloseable {
    private static final AttributeKey INBOX = new AttributeKey(ChatConnector.class, "inbox");

    private final NioSocketConnector connector;
    private final Duration timeout;
    private final boolean tls;

    public ChatConnector(BodyCipher cipher, Duration timeout) {
        this(cipher, timeout, null);
    }

    /**
     * A connector whose connections use TLS (MINA's {@link SslFilter} in client mode) when
     * {@code tls} is not {@code null}. On a TLS listener the body cipher is usually
     * {@link BodyCipher#NONE}: TLS protects the bodies. {@link #connect} returns only once the
     * handshake is done, and fails with the handshake's reason (an untrusted certificate, say).
     */
    public ChatConnector(BodyCipher cipher, Duration timeout, ClientTls tls) {
        this.timeout = timeout;
        this.tls = tls != null;
        connector = new NioSocketConnector(1);
        connector.setConnectTimeoutMillis(timeout.toMillis());
        if (tls != null) {
            SslFilter ssl = new WatchedSslFilter(tls);
            ssl.setEnabledProtocols(ClientTls.PROTOCOLS.toArray(String[]::new));
            if (tls.verifyHostname()) {
                ssl.setEndpointIdentificationAlgorithm("HTTPS");
            }
            connector.getFilterChain().addLast("tls", ssl);
        }
        connector.getFilterChain().addLast("codec",
                new ProtocolCodecFilter(new ChatCodecFactory(cipher, Integer.MAX_VALUE - FrameHeader.LENGTH)));
        connector.setHandler(new InboxHandler());
    }

    /** A connector for the original clients' cipher ({@code legacy-aes}, key {@code 12345abcdef67890}). */
    public static ChatConnector legacy() {
        return new ChatConnector(BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY),
                ChatClient.DEFAULT_TIMEOUT);
    }

    /**
     * Fixes the socket receive buffer of connections opened from now on (the kernel otherwise
     * grows it to megabytes): with reading paused, a client then stops accepting data soon, as a
     * slow client on a real network would.
     */
    public ChatConnector receiveBufferSize(int bytes) {
        connector.getSessionConfig().setReceiveBufferSize(bytes);
        return this;
    }

    public ChatClient connect(String host, int port) throws IOException {
        Inbox inbox = new Inbox();
        ConnectFuture future = connector.connect(new InetSocketAddress(host, port),
                (session, f) -> session.setAttribute(INBOX, inbox));
        if (!future.awaitUninterruptibly(timeout.toMillis()) || !future.isConnected()) {
            throw new IOException("Cannot connect to " + host + ":" + port, future.getException());
        }
        if (tls) {
            awaitHandshake(future.getSession(), inbox, host, port);
        }
        return new ChatClient(future.getSession(), inbox, null);
    }

    private void awaitHandshake(IoSession session, Inbox inbox, String host, int port) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!inbox.secured.await(10, TimeUnit.MILLISECONDS)) {
                if (inbox.closed.getCount() == 0 || inbox.failure != null || System.nanoTime() > deadline) {
                    session.closeNow();
                    Throwable cause = inbox.failure;
                    while (cause != null && cause.getCause() != null && !(cause instanceof javax.net.ssl.SSLException)) {
                        cause = cause.getCause();
                    }
                    throw new IOException("TLS handshake with " + host + ":" + port + " failed: "
                            + (cause != null ? cause.getMessage()
                                    : inbox.closed.getCount() == 0 ? "the server closed the connection"
                                    : "no answer within " + timeout), inbox.failure);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.closeNow();
            throw new IOException("Interrupted during the TLS handshake", e);
        }
    }

    /** Closes the connector and every connection it opened. */
    @Override
    public void close() {
        connector.dispose(true);
    }

    /** Closes a connection at once when its server certificate is refused (see {@link ClientTls}). */
    private static final class WatchedSslFilter extends SslFilter {
        WatchedSslFilter(ClientTls tls) {
            super(tls.context());
        }

        @Override
        protected SSLEngine createEngine(IoSession session, InetSocketAddress address) {
            SSLEngine engine = super.createEngine(session, address);
            ClientTls.watch(engine, failure -> {
                Inbox inbox = (Inbox) session.getAttribute(INBOX);
                if (inbox != null) {
                    inbox.failure = new SSLHandshakeException(failure.getMessage());
                    inbox.failure.initCause(failure);
                }
                session.closeNow();
            });
            return engine;
        }
    }

    /** What the server sent one connection, and whether it closed. */
    static final class Inbox {
        final BlockingQueue<Packet> packets = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);
        final CountDownLatch secured = new CountDownLatch(1);
        volatile Throwable failure;
    }

    private static final class InboxHandler extends IoHandlerAdapter {
        @Override
        public void messageReceived(IoSession session, Object message) {
            if (message instanceof Packet packet) {
                inbox(session).packets.add(packet);
            }
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            Inbox inbox = inbox(session);
            if (inbox.failure == null) { // the first failure is the reason; later ones follow from it
                inbox.failure = cause;
            }
            session.closeNow();
        }

        @Override
        public void event(IoSession session, FilterEvent event) {
            if (event == SslEvent.SECURED) {
                inbox(session).secured.countDown();
            }
        }

        @Override
        public void sessionClosed(IoSession session) {
            inbox(session).closed.countDown();
        }

        private static Inbox inbox(IoSession session) {
            return (Inbox) session.getAttribute(INBOX);
        }
    }
}
