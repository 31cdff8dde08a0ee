package io.github.chatserver.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A test's Redis leaves nothing behind: its directory goes with it, whatever it wrote there. */
class RedisServerTest {

    @Test
    void closeStopsTheServerAndRemovesItsDirectory() {
        RedisServer redis = RedisServer.start();
        Path dir = redis.workDir();
        assertTrue(Files.isRegularFile(dir.resolve("redis.log")), "it logs into its own directory");

        redis.close();

        assertFalse(redis.isRunning());
        assertFalse(Files.exists(dir), dir + " is removed");
        redis.close(); // a second close (an extension and a shutdown hook) finds nothing to do
    }

    @Test
    void closeRemovesWhatAPersistentServerWroteAcrossARestart() throws IOException {
        RedisServer redis = RedisServer.startPersistent();
        Path dir = redis.workDir();
        assertEquals("+OK", set(redis, "kept", "yes"));
        redis.restart();
        try (Stream<Path> files = Files.walk(dir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().contains(".aof")),
                    "the append-only file is on disk in " + dir);
        }

        redis.close();

        assertFalse(Files.exists(dir), dir + " is removed with its append-only file");
    }

    /** SET over a raw socket (RESP); returns the server's one-line answer. */
    private static String set(RedisServer redis, String key, String value) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
            s.setSoTimeout(5000);
            String command = "*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + value.length() + "\r\n"
                    + value + "\r\n";
            s.getOutputStream().write(command.getBytes(StandardCharsets.US_ASCII));
            byte[] answer = s.getInputStream().readNBytes(5);
            return new String(answer, StandardCharsets.US_ASCII).trim();
        }
    }
}
