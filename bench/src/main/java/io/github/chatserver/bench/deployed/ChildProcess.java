package io.github.chatserver.bench.deployed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Starting, reading and stopping the processes of a run: the generators, the relay, run.sh. */
final class ChildProcess {
    private ChildProcess() {
    }

    /** How a generator ended: its exit status (-1 if it had to be killed) and its stdout (the JSON summary). */
    record Outcome(int status, String stdout, boolean timedOut) {
    }

    /**
     * Runs a generator to its end (killed after {@code timeout}); each line of its stderr goes to
     * {@code log} and to {@code onLine} as it comes, stdout is returned.
     */
    static Outcome run(java.util.List<String> command, Path log, Consumer<String> onLine, Duration timeout,
                       Consumer<ProcessHandle> started) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        started.accept(p.toHandle());
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        Thread stdout = reader(p.getInputStream(), line -> out.append(line).append('\n'), "stdout");
        Thread stderr = pump(p.getErrorStream(), log, onLine);
        boolean done;
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            stop(p.toHandle(), Duration.ofSeconds(10));
            throw e;
        }
        if (!done) {
            stop(p.toHandle(), Duration.ofSeconds(10));
        }
        stdout.join(10_000);
        stderr.join(10_000);
        return new Outcome(done ? p.exitValue() : -1, out.toString(), !done);
    }

    /** Copies a stream's lines to a log file (flushed per line) and to {@code onLine}, on a thread of its own. */
    static Thread pump(InputStream in, Path log, Consumer<String> onLine) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
        Thread t = reader(in, line -> {
            w.println(line);
            onLine.accept(line);
        }, log.getFileName().toString());
        Thread closer = new Thread(() -> {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            w.close();
        }, "close-" + log.getFileName());
        closer.setDaemon(true);
        closer.start();
        return t;
    }

    private static Thread reader(InputStream in, Consumer<String> onLine, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "read-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** SIGTERM, and SIGKILL if the process has not ended within {@code grace}. True if it is gone. */
    static boolean stop(ProcessHandle p, Duration grace) {
        if (!p.isAlive()) {
            return true;
        }
        p.destroy();
        try {
            p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // still running
        }
        p.destroyForcibly();
        try {
            p.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            return false;
        }
        return !p.isAlive();
    }
}
