package io.github.chatserver.bench.deployed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The bare Go relay (shared bench-tools relaylimit): logins and one-to-one texts, nothing else;
 * the lower bound of what relaying this protocol costs on this machine. Its pid is written to
 * {@code pidFile} so that the script's trap can stop it should this JVM die.
 */
final class Relay implements AutoCloseable {
    final List<String> command;
    private final int port;
    private final Path log;
    private final Path pidFile;
    private volatile Process process;
    private volatile Endpoint endpoint;
    private int starts;

    private Relay(List<String> command, int port, Path log, Path pidFile) {
        this.command = command;
        this.port = port;
        this.log = log;
        this.pidFile = pidFile;
    }

    static Relay start(Path binary, int port, Path log, Path pidFile) throws IOException, InterruptedException {
        Relay relay = new Relay(List.of(binary.toString(), "-addr", "127.0.0.1:" + port, "-quiet"), port, log, pidFile);
        relay.launch();
        return relay;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /**
     * A fresh process on the same port: a Go process keeps the memory an earlier run made it take,
     * so its resident set grows by less than a connection costs. The idle shape measures a new one.
     */
    void restart() throws IOException, InterruptedException {
        ChildProcess.stop(process.toHandle(), Duration.ofSeconds(10));
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        process = p;
        endpoint = new Endpoint(Endpoint.Target.RELAY, "127.0.0.1", port, p.pid(), 0);
        Files.writeString(pidFile, p.pid() + "\n");
        starts++;
        ChildProcess.pump(p.getInputStream(), starts == 1 ? log : log.resolveSibling(log.getFileName() + "." + starts), line -> { });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    close();
                    throw new IOException("relaylimit did not listen on 127.0.0.1:" + port + " (see " + log + ")");
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() {
        ChildProcess.stop(process.toHandle(), Duration.ofSeconds(10));
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            // the run directory goes anyway
        }
    }
}
