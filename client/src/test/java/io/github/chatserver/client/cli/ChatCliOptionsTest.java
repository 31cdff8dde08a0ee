package io.github.chatserver.client.cli;

import java.time.Duration;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Usage errors are reported before anything is connected, with exit status 2. */
class ChatCliOptionsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static CliRun run(String... args) throws Exception {
        return CliRun.start(args);
    }

    @Test
    void usageErrors() throws Exception {
        String[][] cases = {
                {"--port", "1"},
                {"--user", "a", "--bogus"},
                {"--user", "a", "--cipher", "none"},
                {"--user", "a", "--insecure"},
                {"--user", "a", "--send", "b"},
                {"--user", "a", "--password", "p", "--token", "t"},
                {"--user", "a", "--send-group", "not-an-id", "--text", "x"},
                {"--user", "a", "--port", "70000"},
                {"--user", "a", "--cipher-key", "short"},
        };
        for (String[] args : cases) {
            try (CliRun r = run(args)) {
                assertEquals(ChatCli.USAGE, r.exitCode(WAIT), String.join(" ", args) + ": " + r.err());
                assertTrue(r.err().startsWith("error: "), r.err());
            }
        }
    }

    @Test
    void helpPrintsUsage() throws Exception {
        try (CliRun r = run("--help")) {
            assertEquals(ChatCli.OK, r.exitCode(WAIT));
            assertTrue(r.out().contains("--tls") && r.out().contains("exit status"), r.out());
        }
    }

    @Test
    void refusedConnectionExits3() throws Exception {
        try (CliRun r = run("--user", "a", "--port", "1", "--timeout", "2")) {
            assertEquals(ChatCli.CANNOT_CONNECT, r.exitCode(WAIT));
            assertTrue(r.err().contains("Cannot connect to 127.0.0.1:1"), r.err());
        }
    }
}
