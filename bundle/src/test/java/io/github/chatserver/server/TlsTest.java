package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.config.TlsSettings;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore.Kind;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static io.github.chatserver.server.ServerHarness.text;
import static io.github.chatserver.server.ServerHarness.user;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS listener against a JDK {@code SSLSocket} client that trusts a keystore made by
 * {@code keytool} for this test run: login and chat with cipher none, the protocol versions,
 * a plain client on the TLS port, and a TLS user chatting with a legacy-aes user across the
 * two listeners of {@code tls=separate}.
 */
@ExtendWith(RedisExtension.class)
class TlsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final BodyCipher NONE = BodyCipher.forMode(BodyCipher.NONE, null);
    private static final BodyCipher LEGACY = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
    private static final String TLS13 = "TLSv1.3";
    private static final String TLS12 = "TLSv1.2";

    @TempDir
    static Path dir;
    private static TestKeystore keystore;
    private static SSLContext client;

    @BeforeAll
    static void keys() throws Exception {
        keystore = TestKeystore.generate(dir);
        client = keystore.clientContext();
    }

    static TlsSettings tls(String mode, String... protocols) {
        return new TlsSettings(mode, 0, BodyCipher.NONE, keystore.path().toString(), TestKeystore.PASSWORD,
                TestKeystore.TYPE, List.of(protocols));
    }

    private static ServerSettings settings(RedisServer redis, TlsSettings tls) {
        return ServerHarness.settings(redis).withTls(tls);
    }

    private static int tlsPort(ServerHarness harness) {
        return harness.server.tlsAddress().getPort();
    }

    @Test
    void loginAndChatOverTlsWithCipherNone(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, settings(redis, tls(TlsSettings.ONLY, TLS13, TLS12)));
             SocketClient a = SocketClient.tls(client, tlsPort(harness), NONE, TLS13, TLS12);
             SocketClient b = SocketClient.tls(client, tlsPort(harness), NONE, TLS13, TLS12)) {
            assertEquals(harness.server.localAddress(), harness.server.tlsAddress(), "tls=only: TLS on port");
            String alice = user("alice");
            String bob = user("bob");
            assertTrue(a.login(alice).getLogin());
            assertTrue(b.login(bob).getLogin());

            a.send(text(alice, bob, "over TLS"));

            PbC2CTextChat got = b.receive(PbC2CTextChat.class, WAIT);
            assertEquals("over TLS", got.getTextMsg());
            assertEquals(alice, got.getFromUuid());
            assertEquals(TLS13, a.protocol(), "the newest version both allow");
            assertEquals(0, harness.stats().get(Counter.TLS_FAILURES));
        }
    }

    @Test
    void tls12IsNegotiatedWhenItIsTheOnlyVersionBothAllow(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, settings(redis, tls(TlsSettings.ONLY, TLS13, TLS12)));
             SocketClient old = SocketClient.tls(client, tlsPort(harness), NONE, TLS12)) {
            assertEquals(TLS12, old.protocol());
            assertTrue(old.login(user("old")).getLogin());
        }
        try (ServerHarness harness = ServerHarness.start(redis, settings(redis, tls(TlsSettings.ONLY, TLS12)));
             SocketClient modern = SocketClient.tls(client, tlsPort(harness), NONE, TLS13, TLS12)) {
            assertEquals(TLS12, modern.protocol(), "the server allows only TLSv1.2");
            assertTrue(modern.login(user("modern")).getLogin());
        }
    }

    @Test
    void aVersionTheServerDoesNotAllowFailsTheHandshakeAndIsCounted(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, settings(redis, tls(TlsSettings.ONLY, TLS13)))) {
            assertThrows(SSLHandshakeException.class, () -> SocketClient.tls(client, tlsPort(harness), NONE, TLS12));
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.TLS_FAILURES) == 1);
            await().atMost(WAIT).until(() -> harness.server.connections() == 0);
            // ... and the handler heard of the close too (MINA's SslFilter would swallow it).
            await().atMost(WAIT).until(() -> harness.stats().openConnections() == 0);
        }
    }

    @Test
    void aPlainClientOnTheTlsPortIsClosedAndNothingItSentIsProcessed(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, settings(redis, tls(TlsSettings.ONLY, TLS13, TLS12)))) {
            ChatClient plain = ChatClient.connect("127.0.0.1", tlsPort(harness));
            String mallory = user("mallory");
            plain.send(PbClientLogin.newBuilder().setUuid(mallory).setVersion(1.0f)
                    .setTimestamp(ChatClient.now()).build());

            assertTrue(plain.awaitClosed(WAIT), "closed by the server");
            assertNull(plain.poll(Duration.ZERO), "no answer of any kind");
            await().atMost(WAIT).until(() -> harness.stats().get(Counter.TLS_FAILURES) == 1);
            assertEquals(0, harness.stats().get(Counter.LOGINS_OK) + harness.stats().get(Counter.LOGINS_REFUSED)
                    + harness.stats().get(Counter.PRE_LOGIN_DROPPED) + harness.stats().violations());
            assertTrue(harness.server.sessions().find(mallory).isEmpty());
            plain.close();

            try (SocketClient fine = SocketClient.tls(client, tlsPort(harness), NONE, TLS13)) {
                assertTrue(fine.login(user("fine")).getLogin(), "the listener still serves TLS clients");
            }
        }
    }

    @Test
    void aTlsUserAndALegacyAesUserChatAcrossTheTwoListeners(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, settings(redis, tls(TlsSettings.SEPARATE, TLS13, TLS12)))) {
            assertNotEquals(harness.server.localAddress().getPort(), tlsPort(harness));
            String tina = user("tina");
            String leo = user("leo");
            String olga = user("olga");
            try (SocketClient t = SocketClient.tls(client, tlsPort(harness), NONE, TLS13, TLS12)) {
                ChatClient l = harness.login(leo); // the plain listener, legacy-aes: an original client
                assertTrue(t.login(tina).getLogin());

                t.send(text(tina, leo, "from TLS"));
                assertEquals("from TLS", l.receive(PbC2CTextChat.class, WAIT).getTextMsg());
                l.send(text(leo, tina, "from legacy"));
                PbC2CTextChat got = t.receive(PbC2CTextChat.class, WAIT);
                assertEquals("from legacy", got.getTextMsg());
                assertEquals(leo, got.getFromUuid());

                // A message stored by a legacy-aes sender is served to a TLS recipient in its cipher.
                l.send(text(leo, olga, "stored"));
                await().atMost(WAIT).until(() -> harness.stored(Kind.C2C, olga) == 1);
            }
            try (SocketClient o = SocketClient.tls(client, tlsPort(harness), NONE, TLS13)) {
                assertTrue(o.login(olga).getLogin());
                o.send(PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(olga).setTimestamp(ChatClient.now()).build());
                PbServerResponseC2COfflineMsg stored = o.receive(PbServerResponseC2COfflineMsg.class, WAIT);
                assertEquals("stored", stored.getTextMsg());
                assertEquals(leo, stored.getFromUuid());
            }
        }
    }

    @Test
    void aConnectionThatNeverCompletesTheHandshakeIsClosedByTheLoginTimeout(RedisServer redis) throws Exception {
        ServerSettings s = settings(redis, tls(TlsSettings.ONLY, TLS13)).withTimeouts(Duration.ofSeconds(1),
                Duration.ofSeconds(30));
        try (ServerHarness harness = ServerHarness.start(redis, s);
             Socket stalled = new Socket("127.0.0.1", tlsPort(harness))) {
            stalled.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // the start of a ClientHello, never finished
            stalled.setSoTimeout((int) WAIT.toMillis());
            long start = System.nanoTime();

            assertEquals(-1, stalled.getInputStream().read(), "closed by the server");

            assertTrue((System.nanoTime() - start) / 1_000_000 >= 800, "not before the login timeout");
            assertEquals(1, harness.stats().get(Counter.LOGIN_TIMEOUTS));
        }
    }

    @Test
    void aKeystoreThatCannotBeReadStopsTheStartWithAMessageNamingIt(RedisServer redis) {
        TlsSettings wrongPassword = new TlsSettings(TlsSettings.ONLY, 0, BodyCipher.NONE, keystore.path().toString(),
                "not-the-password", TestKeystore.TYPE, List.of(TLS13));
        IOException e = assertThrows(IOException.class,
                () -> ServerHarness.start(redis, settings(redis, wrongPassword)));
        assertTrue(e.getMessage().contains(keystore.path().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("keystorePassword"), e.getMessage());
    }

    @Test
    void legacyAesUsersOnThePlainListenerAreUnaffectedByTls(RedisServer redis) throws Exception {
        try (ServerHarness harness = ServerHarness.start(redis, settings(redis, tls(TlsSettings.SEPARATE, TLS13)))) {
            String a = user("a");
            String b = user("b");
            ChatClient ca = harness.login(a);
            ChatClient cb = harness.login(b);
            ca.send(text(a, b, "plain as ever"));
            assertEquals("plain as ever", cb.receive(PbC2CTextChat.class, WAIT).getTextMsg());
            assertFalse(harness.server.localAddress().equals(harness.server.tlsAddress()));
        }
    }
}
