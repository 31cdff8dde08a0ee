package io.github.chatserver.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RedisProcessGroupTest {

    @Test
    void closeStopsEveryProcessByPidAndDeletesTheDirectory() throws Exception {
        RedisProcessGroup group = RedisProcessGroup.startFixture("test", processes -> processes);
        RedisProcess first = group.launch("data-node", false, group::dataNodeArguments);
        RedisProcess second = group.launch("data-node", false, group::dataNodeArguments);
        assertEquals("PONG", RedisCommand.send(second.port(), "PING"));
        Path dir = group.dir();
        assertTrue(Files.isDirectory(dir));

        group.close();

        assertGone(List.of(first.pid(), second.pid()));
        assertFalse(Files.exists(dir), dir + " is deleted");
    }

    @Test
    void aFixtureThatFailsHalfWayLeavesNothingBehind() {
        AtomicReference<RedisProcessGroup> started = new AtomicReference<>();
        IllegalStateException failure = new IllegalStateException("the fixture failed after its first process");

        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> RedisProcessGroup.startFixture("test", processes -> {
                    started.set(processes);
                    processes.launch("data-node", false, processes::dataNodeArguments);
                    throw failure;
                }));

        assertSame(failure, thrown);
        assertGone(started.get().processes().stream().map(RedisProcess::pid).toList());
        assertFalse(Files.exists(started.get().dir()));
    }

    @Test
    void aDeadlineMissedNamesTheConditionAndShowsEachLogTail() {
        try (RedisProcessGroup group = RedisProcessGroup.startFixture("test", processes -> processes)) {
            RedisProcess node = group.launch("data-node", false, group::dataNodeArguments);

            IllegalStateException missed = assertThrows(IllegalStateException.class,
                    () -> Await.until("a condition that never holds", Duration.ofMillis(300), () -> false, group::diagnostics));

            String message = missed.getMessage();
            assertTrue(message.startsWith("a condition that never holds: not within"), message);
            assertTrue(message.contains("data-node 127.0.0.1:" + node.port() + ", pid " + node.pid() + ", running"), message);
            assertTrue(message.contains("Ready to accept connections"), message); // redis-server's own log line
        }
    }

    private static void assertGone(List<Long> pids) {
        assertFalse(pids.isEmpty());
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
        }
    }
}
