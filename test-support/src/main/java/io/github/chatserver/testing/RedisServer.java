package io.github.chatserver.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} on a free loopback port. It runs as a child process in the
 * foreground, so stopping it is signalling one PID we own.
 *
 * <p>By default nothing is persisted: a {@link #restart()} starts empty. A {@link #startPersistent()
 * persistent} server writes an append-only file with {@code appendfsync always} (every write is on
 * disk before Redis answers it), so a restart on the same port comes back with every write it
 * acknowledged, as a production Redis configured for durability would. For outages without a
 * restart, {@link #pause()} freezes the process (SIGSTOP): its port still accepts connections but
 * nothing is answered, which is what a hung or partitioned Redis looks like to a client.
 *
 * <p>Its log (and append-only file) live in a temporary directory of its own, removed by
 * {@link #close()}, and at once if the server does not start.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final int port;
    private final Path workDir;
    private final boolean persistent;
    private Process process;
    private boolean paused;

    private RedisServer(int port, Path workDir, boolean persistent) {
        this.port = port;
        this.workDir = workDir;
        this.persistent = persistent;
    }

    /** Starts a server on a free port, with nothing persisted, and waits until it accepts connections. */
    public static RedisServer start() {
        return start(false);
    }

    /**
     * Starts a server that keeps its data across {@link #restart()}: append-only file, fsync
     * before every answer ({@code appendonly yes}, {@code appendfsync always}).
     */
    public static RedisServer startPersistent() {
        return start(true);
    }

    private static RedisServer start(boolean persistent) {
        RedisServer server;
        try {
            server = new RedisServer(freePort(), Files.createTempDirectory("chat-redis"), persistent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // On failure: stop what may run and remove the directory (a failure's message carries the log).
        try {
            server.launch();
            return server;
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void launch() throws IOException {
        List<String> command = List.of(RedisBinaries.path(RedisBinaries.SERVER), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always",
                "--daemonize", "no", "--dir", workDir.toString());
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("redis.log").toFile()))
                .start();
        paused = false;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start (code " + process.exitValue()
                        + "); its log:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException("redis-server did not listen on port " + port + " within "
                        + START_TIMEOUT + "; its log:\n" + log());
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS); // poll interval while the process starts listening
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** True once the server answers PING with PONG (not merely accepts TCP, nor answers LOADING). */
    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            s.setSoTimeout(1000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = new byte[7];
            int n = s.getInputStream().readNBytes(answer, 0, answer.length);
            return n == answer.length && "+PONG\r\n".equals(new String(answer, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** The address in the form Redisson and the server configuration take. */
    public String address() {
        return "redis://127.0.0.1:" + port;
    }

    /**
     * Redis's own count of commands it has processed ({@code INFO stats}): what a client cost
     * in round trips, measured by the server rather than by the client. The INFO call itself
     * counts as one.
     */
    public long commandsProcessed() {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("INFO stats\r\n".getBytes(StandardCharsets.US_ASCII));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("total_commands_processed:")) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            throw new IllegalStateException("INFO stats had no total_commands_processed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public boolean isPersistent() {
        return persistent;
    }

    /** Where the server keeps its log (and, when persistent, its append-only file) until {@link #close()}. */
    public Path workDir() {
        return workDir;
    }

    /**
     * Freezes the process (SIGSTOP to its PID): connections are still accepted by the kernel, but
     * no command is answered until {@link #resume()}. A hung Redis, as a client sees it.
     */
    public synchronized void pause() {
        signal("STOP");
        paused = true;
    }

    /** Lets a {@link #pause() paused} server run again (SIGCONT). */
    public synchronized void resume() {
        if (paused) {
            signal("CONT");
            paused = false;
        }
    }

    private void signal(String name) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("redis-server is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stops the server (SIGTERM to its PID, SIGKILL if it does not exit within 10 s), as an
     * outage would; a persistent server has fsynced every write it answered. {@link #restart()}
     * brings it back on the same port.
     */
    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            resume(); // a stopped process would not act on SIGTERM
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What the server wrote to its log, for a failure message: its directory is removed with it. */
    private String log() {
        try {
            return Files.readString(workDir.resolve("redis.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * Kills the server (SIGKILL to its PID), paused or not, and waits until it is gone: a crash.
     * A paused server dies without running what its clients sent meanwhile; a persistent one keeps
     * what it acknowledged before. {@link #restart()} brings it back on the same port.
     */
    public synchronized void kill() {
        if (process != null && process.isAlive()) {
            try {
                if (!process.destroyForcibly().waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("redis-server " + process.pid() + " did not die on SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        paused = false;
    }

    /** Starts the server again on the same port (stopping it first if it runs); waits until it accepts connections. */
    public synchronized void restart() throws IOException {
        stop();
        launch();
    }

    /** Stops the server and removes its directory (log, append-only file). Safe to call twice. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.exists(workDir) ? Files.walk(workDir) : Stream.empty()) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) { // children before their directory
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + workDir, e);
        }
    }
}
