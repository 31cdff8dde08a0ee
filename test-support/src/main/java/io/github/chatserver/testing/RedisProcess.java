package io.github.chatserver.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} child process, a data node or a sentinel, in the foreground on a
 * loopback port and logging to its own file. Signals go to its PID, which the JVM knows because
 * it started the process.
 */
final class RedisProcess {
    private static final long STOP_GRACE_SECONDS = 10;

    private final String role;
    private final int port;
    private final Process process;
    private final Path log;

    RedisProcess(String role, int port, Process process, Path log) {
        this.role = role;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    String role() {
        return role;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** The address in the form Redisson and the server configuration take. */
    String address() {
        return "redis://127.0.0.1:" + port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL to the PID, as a crash: nothing is flushed, no one is told. Returns once it is gone. */
    void kill() {
        process.destroyForcibly(); // SIGKILL on Unix
        awaitExit(STOP_GRACE_SECONDS);
    }

    /** SIGTERM to the PID, without waiting: {@link #finishStopping()} waits, so that a group stops in parallel. */
    void beginStopping() {
        process.destroy(); // SIGTERM on Unix
    }

    /** Waits for the exit that {@link #beginStopping()} asked for, with SIGKILL if it takes too long. */
    void finishStopping() {
        if (!awaitExit(STOP_GRACE_SECONDS)) {
            kill();
        }
    }

    private boolean awaitExit(long seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True when its log says it could not bind its port (or its cluster bus port): another process took it. */
    boolean lostPortRace() {
        return !process.isAlive() && logText().contains("Address already in use");
    }

    /** Who it is, whether it runs, and the last lines of its log: what a failure message needs. */
    String describe(int tailLines) {
        String state = process.isAlive() ? "running" : "exited with code " + process.exitValue();
        List<String> lines = logText().lines().toList();
        List<String> tail = lines.subList(Math.max(0, lines.size() - tailLines), lines.size());
        return "--- " + role + " 127.0.0.1:" + port + ", pid " + process.pid() + ", " + state + "; last "
                + tail.size() + " lines of " + log.getFileName() + ":\n" + String.join("\n", tail);
    }

    private String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return role + " " + address() + " (pid " + process.pid() + ")";
    }
}
