package io.github.chatserver.client.cli;

import io.github.chatserver.server.ChatServer;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.testing.RedisServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI driven through its standard input against the real server (ChatServer with its
 * default settings) and a real redis-server. Lives in bench/ because the client module cannot
 * depend on the server bundle (the bundle's tests depend on the client).
 */
class ChatCliServerTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    static RedisServer redis;
    static ChatServer server;

    @BeforeAll
    static void start() throws IOException {
        redis = RedisServer.start();
        server = new ChatServer(ServerSettings.defaults(redis.address()).withPort(0), new ServerStats());
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String port() {
        return String.valueOf(server.localAddress().getPort());
    }

    private static CliRun interactive(String user) throws Exception {
        CliRun r = CliRun.start("--port", port(), "--user", user);
        r.awaitOut("logged in as " + user, WAIT);
        return r;
    }

    @Test
    void oneToOneGroupsAndErrorsInteractively() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (CliRun a = interactive(alice); CliRun b = interactive(bob)) {
            a.type("/msg " + bob + " hello bob, how are you?");
            b.awaitOut(alice + ": hello bob, how are you?", WAIT);
            assertTrue(Pattern.compile("\\[\\d\\d:\\d\\d:\\d\\d] " + Pattern.quote(alice) + ": hello bob").matcher(b.out()).find(),
                    "printed with the time: " + b.out());

            a.type("/group create book club");
            String created = a.awaitOut("group created: ", WAIT);
            Matcher m = Pattern.compile("group created: ([A-Za-z0-9_-]{22}) \"book club\"").matcher(created);
            assertTrue(m.find(), created);
            String group = m.group(1);

            b.type("/group join " + group);
            b.awaitOut("you joined group " + group + " \"book club\"", WAIT);
            a.awaitOut(bob + " joined group " + group, WAIT);

            a.type("/g " + group + " welcome to the club");
            b.awaitOut("[book club " + group + "] " + alice + ": welcome to the club", WAIT);
            b.type("/g \"book club\" thanks!"); // a group name this session has seen works too, quoted if it has spaces
            a.awaitOut("[book club " + group + "] " + bob + ": thanks!", WAIT);
            b.type("/g book club thanks!");
            b.awaitErr("unknown group 'book'", WAIT); // unquoted, the first word is the group
            b.type("/g " + group + " thanks again!");
            a.awaitOut("[book club " + group + "] " + bob + ": thanks again!", WAIT);

            b.type("/group info");
            b.awaitOut("your groups: 1", WAIT);
            b.awaitOut(group + " \"book club\" owner " + alice + ", members: " + bob, WAIT);

            b.type("/group leave " + group);
            b.awaitOut("you left group " + group, WAIT);
            a.awaitOut(bob + " left group " + group, WAIT);
            b.type("/g " + group + " still here?");
            b.awaitOut("! you are not in group " + group, WAIT);

            b.type("/group disband " + group);
            b.awaitOut("! refused for group " + group, WAIT);
            a.type("/group disband " + group);
            a.awaitOut("group disbanded: " + group, WAIT);

            a.type("/frobnicate");
            a.awaitErr("unknown command '/frobnicate' (see /help)", WAIT);
            a.type("hello?");
            a.awaitErr("not a command", WAIT);
            a.type("/group join not-a-group");
            a.awaitErr("is not a group id", WAIT);
            a.type("/msg " + bob);
            a.awaitErr("usage: /msg <user> <text>", WAIT);
            a.type("/help");
            a.awaitOut("/group create <name>", WAIT);
            assertTrue(a.out().contains("* logged in"), "still connected after the errors");

            a.type("/quit");
            assertEquals(ChatCli.OK, a.exitCode(WAIT), a.err());
            b.type("/quit");
            assertEquals(ChatCli.OK, b.exitCode(WAIT), b.err());
        }
    }

    @Test
    void offlineMessagesInteractivelyAndOneShot() throws Exception {
        String sender = user("sender");
        String carol = user("carol");
        try (CliRun s = CliRun.start("--port", port(), "--user", sender, "--send", carol, "--text", "while you were out")) {
            assertEquals(ChatCli.OK, s.exitCode(WAIT), s.err());
        }
        try (CliRun c = interactive(carol)) {
            c.type("/offline");
            c.awaitOut("(offline) " + sender + ": while you were out", WAIT);
            c.type("/quit");
            assertEquals(ChatCli.OK, c.exitCode(WAIT));
        }
        // stored messages are served once: a one-shot fetch now finds none, and --expect 1 says so
        try (CliRun c = CliRun.start("--port", port(), "--user", carol, "--offline", "--expect", "1")) {
            assertEquals(ChatCli.TOO_FEW_MESSAGES, c.exitCode(WAIT), c.out() + c.err());
        }
    }

    @Test
    void oneShotListenAndSend() throws Exception {
        String dave = user("dave");
        String erin = user("erin");
        try (CliRun listener = CliRun.start("--port", port(), "--user", dave, "--listen", "3", "--expect", "2")) {
            Thread.sleep(700); // the listener logs in
            for (String text : List.of("one", "two")) {
                try (CliRun s = CliRun.start("--port", port(), "--user", erin, "--send", dave, "--text", text)) {
                    assertEquals(ChatCli.OK, s.exitCode(WAIT), s.err());
                }
            }
            assertEquals(ChatCli.OK, listener.exitCode(WAIT), listener.out() + listener.err());
            assertTrue(listener.out().contains(erin + ": one") && listener.out().contains(erin + ": two"), listener.out());
        }
    }

    @Test
    void groupSendToAGroupOneIsNotInExits7() throws Exception {
        String frank = user("frank");
        try (CliRun f = CliRun.start("--port", port(), "--user", frank, "--send-group", "AAAAAAAAAAAAAAAAAAAAAA",
                "--text", "anyone?", "--listen", "2")) {
            assertEquals(ChatCli.REFUSED, f.exitCode(WAIT), f.out() + f.err());
            assertTrue(f.out().contains("! you are not in group AAAAAAAAAAAAAAAAAAAAAA"), f.out());
        }
    }

    @Test
    void kickedByASecondLoginExits5() throws Exception {
        String gina = user("gina");
        try (CliRun first = interactive(gina); CliRun second = interactive(gina)) {
            first.awaitErr("the server closed the connection", WAIT);
            assertEquals(ChatCli.CONNECTION_CLOSED, first.exitCode(WAIT));
            second.type("/quit");
            assertEquals(ChatCli.OK, second.exitCode(WAIT));
        }
    }

    /** The real main class in its own JVM, its standard input a pipe: exit status and output as a script sees them. */
    @Test
    void mainInAChildProcess() throws Exception {
        String hal = user("hal");
        String ivy = user("ivy");
        try (CliRun i = interactive(ivy)) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ChatCli.class.getName(), "--port", port(), "--user", hal)
                    .redirectErrorStream(true).start();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(("/msg " + ivy + " from a pipe\n/bogus\n/quit\n").getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the CLI exits after /quit");
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), output);
            assertTrue(output.contains("error: unknown command '/bogus'"), output);
            assertFalse(output.contains("SLF4J"), output);
            i.awaitOut(hal + ": from a pipe", WAIT);
        }
    }
}
