package io.github.chatserver.runit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code ./run.sh --no-build} on the distribution this build packaged (issue 10: it used to say the
 * server listens when another process held the port). Every instance runs on free ports in a run
 * directory of the test's own, never the developer's {@code .run/}; the Redis that run.sh starts
 * there (and leaves running, by design) is stopped by its pidfile at the end.
 */
class RunScriptIT {
    private static final Path ROOT = Path.of(System.getProperty("chatserver.root", "..")).toAbsolutePath().normalize();
    /** Bounds that only a broken run.sh reaches: Karaf boots in 10-20 s here, slower on a busy machine. */
    private static final Duration START = Duration.ofMinutes(3);
    private static final Duration STOP = Duration.ofMinutes(2);

    @TempDir
    static Path runDir;

    /** The instance of the refusal tests: never started, so its ports stay free between them. */
    private static PortScheme refused;

    @BeforeAll
    static void instanceWithTlsOnItsOwnPort() throws IOException {
        refused = PortScheme.free();
        // run.sh keeps an instance's chat configuration when it unpacks the distribution: with
        // tls=separate, the TLS port is one of the ports it checks.
        Path etc = Files.createDirectories(runDir.resolve("karaf-" + refused.chat()).resolve("etc"));
        Files.writeString(etc.resolve("io.github.chatserver.cfg"), "tls = separate\n");
    }

    @AfterAll
    static void stopTheRedisOfRunSh() throws Exception {
        Path pidfile = runDir.resolve("redis.pid");
        if (!Files.exists(pidfile)) {
            return;
        }
        String pid = Files.readString(pidfile).trim();
        // The process name, as run.sh checks it too (the executable is a link to redis-check-rdb).
        Path name = Path.of("/proc", pid, "comm");
        ProcessHandle redis = ProcessHandle.of(Long.parseLong(pid)).orElse(null);
        if (redis != null && Files.exists(name) && Files.readString(name).contains("redis-server")) {
            redis.destroy();
            try {
                redis.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                redis.destroyForcibly(); // e.g. it could not write its append-only file on the way out
                redis.onExit().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(PortScheme.Setting.class)
    void aTakenPortIsRefusedByNameBeforeAnythingStarts(PortScheme.Setting taken) throws Exception {
        int port = refused.port(taken);
        try (ServerSocket otherProcess = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
             RunScript run = RunScript.start(ROOT, runDir, "--no-build", "--port", Integer.toString(refused.chat()))) {
            int status = run.awaitExit(START);
            String said = run.output();

            assertNotEquals(0, status, said);
            assertTrue(said.contains("port " + port + " is taken"), said);
            assertTrue(said.contains("set by " + taken.key + " in "), said);
            assertTrue(said.contains("--port"), "says how to move the ports:\n" + said);
            assertFalse(said.contains("Starting Karaf"), said);
            assertFalse(Files.exists(runDir.resolve("redis.pid")), "no Redis is started either:\n" + said);
        }
    }

    @Test
    void saysListeningOnlyOnceLoginsWorkAndStopsOnSigtermLeavingNothingRunning() throws Exception {
        PortScheme free = PortScheme.freeFrom(refused.chat() + 1);
        int port = free.chat();
        try (RunScript run = RunScript.start(ROOT, runDir, "--no-build", "--port", Integer.toString(port))) {
            run.awaitLine("listening on port " + port, START);
            try (ChatClient client = ChatClient.connect("127.0.0.1", port)) {
                PbServerAcceptLogin answer = client.login("run-sh-it");
                assertTrue(answer.getLogin(), answer.getTipsMsg());
            }
            List<ProcessHandle> karaf = run.descendants();
            assertFalse(karaf.isEmpty(), "Karaf runs as run.sh's child:\n" + run.output());

            run.terminate();

            assertEquals(0, run.awaitExit(STOP), run.output());
            assertTrue(run.output().contains("Karaf stopped"), run.output());
            karaf.forEach(process -> assertFalse(process.isAlive(), process + " outlived run.sh"));
            assertFalse(accepts(port), "the chat port is released");
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
