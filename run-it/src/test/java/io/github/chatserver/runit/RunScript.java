package io.github.chatserver.runit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code ./run.sh} process of the project under test, with its run directory ({@code CHAT_RUN_DIR})
 * of the test's own and no {@code CHAT_REDIS_ADDRESS}: its output (stdout and stderr) is read line by
 * line as it comes, so a test can wait for a line.
 */
final class RunScript implements AutoCloseable {
    /** Marks the end of the output in {@link #lines}. */
    private static final String END = new String("end of output");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> output = new ArrayList<>();
    private final CountDownLatch outputEnded = new CountDownLatch(1);

    private RunScript(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "run.sh output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code <projectRoot>/run.sh args...} with {@code CHAT_RUN_DIR=runDir}. */
    static RunScript start(Path projectRoot, Path runDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(projectRoot.resolve("run.sh").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(projectRoot.toFile()).redirectErrorStream(true);
        builder.environment().remove("CHAT_REDIS_ADDRESS");
        builder.environment().put("CHAT_RUN_DIR", runDir.toString());
        try {
            return new RunScript(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                record(line);
                lines.add(line);
            }
        } catch (IOException e) {
            record("(reading the output failed: " + e + ")");
        } finally {
            lines.add(END);
            outputEnded.countDown();
        }
    }

    private synchronized void record(String line) {
        output.add(line);
    }

    /** Everything run.sh printed so far, one line each. */
    synchronized String output() {
        return String.join("\n", output);
    }

    /**
     * Waits for the first line not yet consumed here that contains {@code text}; fails when the
     * output ends or the timeout passes first.
     */
    String awaitLine(String text, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new TimeoutException("no line with '" + text + "' within " + timeout + "; run.sh said:\n" + output());
            }
            if (line == END) {
                throw new IllegalStateException("run.sh ended without a line with '" + text + "'; it said:\n" + output());
            }
            if (line.contains(text)) {
                return line;
            }
        }
    }

    /**
     * run.sh's exit status, once it has exited and its output has ended; the output stays open
     * while a process it started (Karaf) still runs, so this also waits for those.
     */
    int awaitExit(Duration timeout) throws InterruptedException, TimeoutException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("run.sh did not exit within " + timeout + "; it said:\n" + output());
        }
        if (!outputEnded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("run.sh exited, but a process it started still holds its output; it said:\n"
                    + output());
        }
        return process.exitValue();
    }

    /** The processes run.sh started and that are still running (Karaf's JVM once it runs). */
    List<ProcessHandle> descendants() {
        return process.descendants().toList();
    }

    /**
     * Sends run.sh SIGTERM, as an operator's kill or a service manager would. Through its handle:
     * {@link Process#destroy()} would also close the pipe run.sh still writes to.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Kills run.sh and whatever it started that still runs: the clean-up after a failed test. */
    @Override
    public void close() {
        List<ProcessHandle> started = descendants();
        process.destroyForcibly();
        started.forEach(ProcessHandle::destroyForcibly);
        started.forEach(handle -> handle.onExit().join());
        process.onExit().join();
    }
}
