package io.github.chatserver.client.cli;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ClientTls;
import io.github.chatserver.codec.BodyCipher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI against a small TLS test server: TLS in ChatConnector and the CLI's TLS options, and
 * interactive commands with user names that hold spaces.
 */
class ChatCliTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    static TlsTestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = new TlsTestServer(dir);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private String port() {
        return String.valueOf(server.port());
    }

    @Test
    void oneShotSendAndListenOverTlsWithTrustedCertificate() throws Exception {
        try (CliRun bob = CliRun.start("--port", port(), "--user", "bob", "--tls",
                "--truststore", server.certificatePem.toString(), "--listen", "4", "--expect", "1")) {
            awaitLoggedIn("bob");
            try (CliRun alice = CliRun.start("--port", port(), "--user", "alice", "--tls",
                    "--truststore", server.keystore.toString(), "--truststore-password", TlsTestServer.STORE_PASSWORD,
                    "--send", "bob", "--text", "hello over TLS")) {
                assertEquals(ChatCli.OK, alice.exitCode(WAIT), alice.err());
            }
            bob.awaitOut("alice: hello over TLS", WAIT);
            assertEquals(ChatCli.OK, bob.exitCode(WAIT), bob.err());
        }
    }

    @Test
    void interactiveOverTlsWithInsecure() throws Exception {
        try (CliRun carol = CliRun.start("--port", port(), "--user", "carol", "--tls", "--insecure");
             CliRun dave = CliRun.start("--port", port(), "--user", "dave", "--tls", "--insecure")) {
            carol.awaitOut("logged in as carol", WAIT);
            assertTrue(carol.out().contains("(TLS)"), carol.out());
            dave.awaitOut("logged in as dave", WAIT);
            carol.type("/msg dave hi dave, how are you?");
            dave.awaitOut("carol: hi dave, how are you?", WAIT);
            carol.type("/quit");
            assertEquals(ChatCli.OK, carol.exitCode(WAIT));
            dave.endInput();
            assertEquals(ChatCli.OK, dave.exitCode(WAIT));
        }
    }

    @Test
    void untrustedCertificateFailsTheHandshakeWithExit3() throws Exception {
        try (CliRun eve = CliRun.start("--port", port(), "--user", "eve", "--tls", "--timeout", "5")) {
            long start = System.nanoTime();
            assertEquals(ChatCli.CANNOT_CONNECT, eve.exitCode(WAIT));
            assertTrue(eve.err().contains("TLS handshake") && eve.err().contains("PKIX"), eve.err());
            assertTrue(System.nanoTime() - start < 3_000_000_000L, "a refused certificate is reported at once");
        }
    }

    @Test
    void plainClientAgainstTlsListenerCannotLogIn() throws Exception {
        try (CliRun plain = CliRun.start("--port", port(), "--user", "frank", "--timeout", "2", "--listen", "1")) {
            int code = plain.exitCode(WAIT);
            assertTrue(code == ChatCli.CANNOT_CONNECT || code == ChatCli.CONNECTION_CLOSED, "exit " + code + ": " + plain.err());
        }
    }

    @Test
    void refusedLoginExits4() throws Exception {
        try (CliRun r = CliRun.start("--port", port(), "--user", "refused-one", "--tls", "--insecure", "--listen", "1")) {
            assertEquals(ChatCli.LOGIN_REFUSED, r.exitCode(WAIT));
            assertTrue(r.err().contains("login refused: unknown user"), r.err());
        }
    }

    @Test
    void libraryHandshakeFailureNamesTheReason() {
        IOException e = assertThrows(IOException.class, () -> ChatClient.connect("127.0.0.1", server.port(),
                BodyCipher.forMode(BodyCipher.NONE, null), Duration.ofSeconds(5), ClientTls.systemDefault()));
        assertTrue(e.getMessage().startsWith("TLS handshake with 127.0.0.1:"), e.getMessage());
    }

    @Test
    void hostNameIsChecked() throws Exception {
        // the certificate names localhost and 127.0.0.1, not 127.0.0.2
        IOException e = assertThrows(IOException.class, () -> ChatClient.connect("127.0.0.2", server.unnamedPort(),
                BodyCipher.forMode(BodyCipher.NONE, null), Duration.ofSeconds(5),
                ClientTls.trusting(server.certificatePem, null)));
        assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
        // and it is the same certificate that is trusted on a named address
        ChatClient.connect("127.0.0.1", server.port(), BodyCipher.forMode(BodyCipher.NONE, null), Duration.ofSeconds(5),
                ClientTls.trusting(server.certificatePem, null)).close();
    }

    /** Names with spaces: the original clients' uuids; quoted, a name is one argument. */
    @Test
    void aQuotedNameWithSpacesIsOneArgument() throws Exception {
        try (CliRun java = interactiveOverTls("hello, 我是一个java程序"); CliRun zhang = interactiveOverTls("张 三")) {
            java.type("/msg \"张 三\" 你好, how are you?");
            zhang.awaitOut("hello, 我是一个java程序: 你好, how are you?", WAIT);
            zhang.type("/msg 'hello, 我是一个java程序' fine, thanks");
            java.awaitOut("张 三: fine, thanks", WAIT);

            java.type("/msg '张 三 hello");
            java.awaitErr("missing closing '", WAIT);
            java.type("/g \"book club\" hi");
            java.awaitErr("unknown group 'book club'", WAIT); // the whole quoted name, not its first word
            java.type("/g book club hi");
            java.awaitErr("unknown group 'book': give its 22-character id or a name this session has seen (in quotes", WAIT);
            java.type("/msg \"张 三\"");
            java.awaitErr("usage: /msg <user> <text>", WAIT);

            java.type("/quit");
            assertEquals(ChatCli.OK, java.exitCode(WAIT), java.err());
            zhang.type("/quit");
            assertEquals(ChatCli.OK, zhang.exitCode(WAIT), zhang.err());
        }
    }

    private CliRun interactiveOverTls(String user) throws Exception {
        CliRun r = CliRun.start("--port", port(), "--user", user, "--tls", "--insecure");
        r.awaitOut("logged in as " + user, WAIT);
        return r;
    }

    private void awaitLoggedIn(String user) throws InterruptedException {
        // one-shot mode prints nothing on login; give the login a moment to reach the server
        Thread.sleep(500);
    }
}
