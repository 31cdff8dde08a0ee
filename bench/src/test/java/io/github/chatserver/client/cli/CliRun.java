package io.github.chatserver.client.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** (A copy of client/src/test CliRun: test classes are not shared across modules.) The CLI running on a thread, driven through its standard input, its output captured. */
final class CliRun implements AutoCloseable {
    private final PipedOutputStream stdin = new PipedOutputStream();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> exit;

    private CliRun(String[] args, Map<String, String> env) throws IOException {
        PipedInputStream in = new PipedInputStream(stdin, 64 * 1024);
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        exit = CompletableFuture.supplyAsync(() -> ChatCli.run(args, in, out, err, env));
    }

    static CliRun start(String... args) throws IOException {
        return new CliRun(args, Map.of());
    }

    static CliRun start(Map<String, String> env, String... args) throws IOException {
        return new CliRun(args, env);
    }

    /** Types one line on the CLI's standard input. */
    CliRun type(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        return this;
    }

    /** Closes standard input (end of a piped script). */
    void endInput() throws IOException {
        stdin.close();
    }

    String out() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    /** Waits until standard output contains the text; fails with both outputs if it does not. */
    String awaitOut(String text, Duration timeout) throws InterruptedException {
        return await(text, timeout, false);
    }

    String awaitErr(String text, Duration timeout) throws InterruptedException {
        return await(text, timeout, true);
    }

    private String await(String text, Duration timeout, boolean onErr) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String s = onErr ? err() : out();
            if (s.contains(text)) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("'" + text + "' not on " + (onErr ? "stderr" : "stdout") + " within " + timeout
                + "\n--- stdout:\n" + out() + "\n--- stderr:\n" + err());
    }

    int exitCode(Duration timeout) throws Exception {
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the CLI did not exit within " + timeout
                    + "\n--- stdout:\n" + out() + "\n--- stderr:\n" + err());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
