package io.github.chatserver.client.cli;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.ChatCodecFactory;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;

/**
 * A stand-in server for the client's TLS tests: TLS (SslFilter, server mode, a throw-away
 * self-signed certificate made with keytool), cipher none, login (refusing users named
 * "refused*") and one-to-one delivery. The real server's tests are in bench/src/test.
 */
final class TlsTestServer implements AutoCloseable {
    static final String STORE_PASSWORD = "changeit";

    final Path dir;
    final Path keystore;
    final Path certificatePem;
    private final NioSocketAcceptor acceptor = new NioSocketAcceptor(1);
    private final Map<String, IoSession> users = new ConcurrentHashMap<>();

    TlsTestServer(Path dir) throws Exception {
        this.dir = dir;
        this.keystore = dir.resolve("server.p12");
        this.certificatePem = dir.resolve("server.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD, "-file", certificatePem.toString());

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STORE_PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);

        acceptor.getFilterChain().addLast("tls", new SslFilter(context));
        acceptor.getFilterChain().addLast("codec",
                new ProtocolCodecFilter(new ChatCodecFactory(BodyCipher.forMode(BodyCipher.NONE, null), 8192)));
        acceptor.setHandler(new IoHandlerAdapter() {
            @Override
            public void messageReceived(IoSession session, Object message) {
                Packet p = (Packet) message;
                if (p.body() instanceof PbClientLogin login) {
                    boolean ok = !login.getUuid().startsWith("refused");
                    session.write(Packet.of(PbServerAcceptLogin.newBuilder().setLogin(ok)
                            .setTipsMsg(ok ? "welcome" : "unknown user").setTimestamp(now()).build()));
                    if (ok) {
                        session.setAttribute("user", login.getUuid());
                        users.put(login.getUuid(), session);
                    } else {
                        session.closeOnFlush();
                    }
                } else if (p.body() instanceof PbC2CTextChat text) {
                    IoSession to = users.get(text.getToUuid());
                    if (to != null) {
                        to.write(Packet.of(text.toBuilder().setFromUuid((String) session.getAttribute("user"))
                                .setTimestamp(now()).build()));
                    }
                } else if (p.type().code() == 3) {
                    session.closeNow();
                }
            }

            @Override
            public void exceptionCaught(IoSession session, Throwable cause) {
                session.closeNow();
            }

            @Override
            public void sessionClosed(IoSession session) {
                Object user = session.getAttribute("user");
                if (user != null) {
                    users.remove(user, session);
                }
            }
        });
        acceptor.bind(List.of(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.2", 0)));
    }

    /** The port on 127.0.0.1, an address the certificate names. */
    int port() {
        return port("127.0.0.1");
    }

    /** The port on 127.0.0.2, an address the certificate does not name. */
    int unnamedPort() {
        return port("127.0.0.2");
    }

    private int port(String host) {
        return acceptor.getLocalAddresses().stream().map(a -> (InetSocketAddress) a)
                .filter(a -> a.getAddress().getHostAddress().equals(host)).findFirst().orElseThrow().getPort();
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + new String(output));
        }
    }

    @Override
    public void close() {
        acceptor.dispose(true);
    }
}
