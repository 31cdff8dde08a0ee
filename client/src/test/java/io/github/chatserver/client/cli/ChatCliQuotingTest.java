package io.github.chatserver.client.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Interactive commands with user and group names that hold spaces, against the small test server. */
class ChatCliQuotingTest {
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

    private static CliRun interactive(String user) throws Exception {
        CliRun r = CliRun.start("--port", String.valueOf(server.port()), "--user", user, "--tls", "--insecure");
        r.awaitOut("logged in as " + user, WAIT);
        return r;
    }

    @Test
    void aQuotedNameWithSpacesIsOneArgument() throws Exception {
        try (CliRun java = interactive("hello, 我是一个java程序"); CliRun zhang = interactive("张 三")) {
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
}
