package io.github.chatserver.client;

import com.google.protobuf.Message;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.mina.core.session.IoSession;

/**
 * One client connection to a chat server, speaking docs/PROTOCOL.md through the same codec classes as
 * the server. Everything the server sends is queued; {@link #receive} takes it in order.
 * Meant for tests, tools and scripts: every wait has a timeout.
 */
public final class ChatClient implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final IoSession session;
    private final ChatConnector.Inbox inbox;
    /** The connector this client owns and closes, or {@code null} when it shares one. */
    private final ChatConnector owned;

    ChatClient(IoSession session, ChatConnector.Inbox inbox, ChatConnector owned) {
        this.session = session;
        this.inbox = inbox;
        this.owned = owned;
    }

    /** Connects with the original clients' cipher ({@code legacy-aes}, key {@code 12345abcdef67890}). */
    public static ChatClient connect(String host, int port) throws IOException {
        return connect(host, port, BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY), DEFAULT_TIMEOUT);
    }

    /** Connects on a connector of its own, closed with this client. */
    public static ChatClient connect(String host, int port, BodyCipher cipher, Duration timeout) throws IOException {
        return connect(host, port, cipher, timeout, null);
    }

    /**
     * Connects on a connector of its own, closed with this client, over TLS when {@code tls} is
     * not {@code null} (returning once the handshake is done).
     */
    public static ChatClient connect(String host, int port, BodyCipher cipher, Duration timeout, ClientTls tls)
            throws IOException {
        ChatConnector connector = new ChatConnector(cipher, timeout, tls);
        try {
            ChatClient shared = connector.connect(host, port);
            return new ChatClient(shared.session, shared.inbox, connector);
        } catch (IOException | RuntimeException e) {
            connector.close();
            throw e;
        }
    }

    /** Logs in without a token (the server's {@code open} mode) and returns the server's answer. */
    public PbServerAcceptLogin login(String uuid) throws TimeoutException, InterruptedException {
        return login(uuid, null);
    }

    /** Logs in with a password or token in field 4 and returns the server's answer. */
    public PbServerAcceptLogin login(String uuid, String token) throws TimeoutException, InterruptedException {
        return login(uuid, token, DEFAULT_TIMEOUT);
    }

    /** Logs in with a password or token in field 4, waiting at most {@code timeout} for the answer. */
    public PbServerAcceptLogin login(String uuid, String token, Duration timeout) throws TimeoutException, InterruptedException {
        PbClientLogin.Builder login = PbClientLogin.newBuilder()
                .setUuid(uuid).setVersion(1.0f).setTimestamp(now());
        if (token != null) {
            login.setToken(token);
        }
        send(login.build());
        return receive(PbServerAcceptLogin.class, timeout);
    }

    /** Sends a message as the packet type that carries it. Returns once it is handed to the socket. */
    public void send(Message body) {
        session.write(Packet.of(body)).awaitUninterruptibly(DEFAULT_TIMEOUT.toMillis());
    }

    /** Writes raw bytes, bypassing the codec: for tests of malformed input. */
    public void sendRaw(byte[] bytes) {
        session.write(org.apache.mina.core.buffer.IoBuffer.wrap(bytes)).awaitUninterruptibly(DEFAULT_TIMEOUT.toMillis());
    }

    /**
     * The next packet from the server, or a {@link TimeoutException} if none came in time (at
     * once when the connection is closed and nothing is left to read).
     */
    public Packet receive(Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Packet p = inbox.packets.poll();
        while (p == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || inbox.closed.getCount() == 0 && inbox.packets.isEmpty()) {
                break;
            }
            p = inbox.packets.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
        }
        if (p == null) {
            throw new TimeoutException("No packet within " + timeout
                    + (isConnected() ? "" : " (connection closed)")
                    + (inbox.failure == null ? "" : ": " + inbox.failure));
        }
        return p;
    }

    /** The next packet, which must be of the given message class. */
    public <T extends Message> T receive(Class<T> kind, Duration timeout) throws TimeoutException, InterruptedException {
        Packet p = receive(timeout);
        if (!kind.isInstance(p.body())) {
            throw new IllegalStateException("Expected " + kind.getSimpleName() + " but received " + p.type()
                    + ": " + p.body());
        }
        return kind.cast(p.body());
    }

    /** The next packet if one is already queued or arrives within the timeout, else {@code null}. */
    public Packet poll(Duration timeout) throws InterruptedException {
        return inbox.packets.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until the server closes the connection. */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return inbox.closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isConnected() {
        return session.isConnected() && inbox.closed.getCount() > 0;
    }

    /** Stops reading from the socket, as a slow or stuck client would; the server's writes pile up. */
    public void pauseReading() {
        session.suspendRead();
    }

    public void resumeReading() {
        session.resumeRead();
    }

    /** Whether the connection runs over TLS with a completed handshake. */
    public boolean isSecured() {
        return inbox.secured.getCount() == 0;
    }

    /** Why the connection failed, if the client side saw an exception (e.g. a TLS alert); else {@code null}. */
    public Throwable failure() {
        return inbox.failure;
    }

    /** Local port of this connection, to tell connections apart in logs and tests. */
    public int localPort() {
        return ((InetSocketAddress) session.getLocalAddress()).getPort();
    }

    @Override
    public void close() {
        session.closeNow().awaitUninterruptibly(DEFAULT_TIMEOUT.toMillis());
        if (owned != null) {
            owned.close();
        }
    }

    public static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
