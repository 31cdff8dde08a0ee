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
    final Process process;
    final Endpoint endpoint;
    final List<String> command;
    private final Path pidFile;

    private Relay(Process process, Endpoint endpoint, List<String> command, Path pidFile) {
        this.process = process;
        this.endpoint = endpoint;
        this.command = command;
        this.pidFile = pidFile;
    }

    static Relay start(Path binary, int port, Path log, Path pidFile) throws IOException, InterruptedException {
        List<String> command = List.of(binary.toString(), "-addr", "127.0.0.1:" + port, "-quiet");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        Files.writeString(pidFile, p.pid() + "\n");
        ChildProcess.pump(p.getInputStream(), log, line -> { });
        Relay relay = new Relay(p, new Endpoint(Endpoint.Target.RELAY, "127.0.0.1", port, p.pid(), 0), command, pidFile);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return relay;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    relay.close();
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
