package io.github.chatserver.server;

import com.google.protobuf.Message;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * A client on a plain JDK socket: a TLS one ({@link SSLSocket}, independent of MINA's SslFilter)
 * or a plain one bound to a chosen local address (another loopback address than 127.0.0.1).
 * Frames are written and read by hand over the socket's streams, bodies with the project's
 * cipher and protobuf classes. Blocking reads with timeouts only.
 */
final class SocketClient implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final BodyCipher cipher;

    private SocketClient(Socket socket, BodyCipher cipher) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.cipher = cipher;
    }

    /** Connects and completes the handshake offering only {@code protocols}. */
    static SocketClient tls(SSLContext context, int port, BodyCipher cipher, String... protocols) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) CONNECT_TIMEOUT.toMillis());
            socket.setEnabledProtocols(protocols);
            socket.startHandshake();
            return new SocketClient(socket, cipher);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A plain connection to 127.0.0.1 from {@code localAddress} (e.g. 127.0.0.2), with the original clients' cipher. */
    static SocketClient plainFrom(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(localAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
            return new SocketClient(socket, BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The negotiated protocol version of a TLS connection, e.g. {@code TLSv1.3}. */
    String protocol() {
        return ((SSLSocket) socket).getSession().getProtocol();
    }

    void send(Message body) throws IOException {
        IoBuffer frame = EncodedFrame.of(Packet.of(body), cipher).toBuffer();
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        out.write(bytes);
        out.flush();
    }

    PbServerAcceptLogin login(String uuid) throws IOException, TimeoutException {
        send(PbClientLogin.newBuilder().setUuid(uuid).setVersion(1.0f).setTimestamp(System.currentTimeMillis() / 1000)
                .build());
        return receive(PbServerAcceptLogin.class, CONNECT_TIMEOUT);
    }

    /** The next packet, decrypted and parsed; a {@link TimeoutException} if none comes in time. */
    Packet receive(Duration timeout) throws IOException, TimeoutException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            int length = in.readInt();
            long type = in.readInt() & 0xFFFFFFFFL;
            byte[] body = new byte[length - 8];
            in.readFully(body);
            PacketType packetType = PacketType.ofCode(type);
            if (packetType == null) {
                throw new IOException("unknown packet type " + type);
            }
            return new Packet(packetType, packetType.parser().parseFrom(cipher.decrypt(body)));
        } catch (SocketTimeoutException e) {
            throw new TimeoutException("No packet within " + timeout);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("undecryptable body", e);
        }
    }

    <T extends Message> T receive(Class<T> kind, Duration timeout) throws IOException, TimeoutException {
        Packet p = receive(timeout);
        if (!kind.isInstance(p.body())) {
            throw new IllegalStateException("Expected " + kind.getSimpleName() + " but received " + p.type());
        }
        return kind.cast(p.body());
    }

    /** True if the server closes the connection within the timeout (reading discards anything sent first). */
    boolean awaitClosed(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (EOFException | SSLException | SocketException closed) {
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
