package io.github.chatserver.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The redis-server processes of one fixture and the private temporary directory they work in
 * (configuration files, cluster state, logs). Closing the group stops every process by PID and
 * deletes the directory, whether the fixture started fully or failed half-way.
 */
final class RedisProcessGroup implements AutoCloseable {
    /** Offset of a Redis Cluster node's bus port from its client port, fixed by Redis. */
    static final int CLUSTER_BUS_OFFSET = 10000;
    /** Generous: several builds may share the machine's two cores. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Attempts with a fresh port when another process bound the chosen one first. */
    private static final int PORT_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 25;

    private final Path dir;
    private final List<RedisProcess> processes = new ArrayList<>();
    private final Set<Integer> reservedPorts = new HashSet<>();

    /** The arguments after {@code redis-server} for a process that listens on {@code port}; may write its config file. */
    @FunctionalInterface
    interface Arguments {
        List<String> forPort(int port) throws IOException;
    }

    private RedisProcessGroup(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates a group in a new temporary directory and builds a fixture on it; if building fails
     * half-way, stops what was started and deletes the directory before rethrowing.
     */
    static <T> T startFixture(String name, Function<RedisProcessGroup, T> build) {
        RedisProcessGroup processes;
        try {
            processes = new RedisProcessGroup(Files.createTempDirectory("chat-redis-" + name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return build.apply(processes);
        } catch (RuntimeException | Error e) {
            try {
                processes.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    /**
     * Starts a process on a free loopback port (and, for a cluster node, a free bus port 10000
     * above it) and waits until it answers PING. Ports are chosen before the process binds them,
     * so another process on the machine may take one in between; then Redis exits at start and
     * the launch is retried on fresh ports.
     */
    RedisProcess launch(String role, boolean clusterBus, Arguments arguments) {
        for (int attempt = 1; ; attempt++) {
            int port = reserveFreePort(clusterBus);
            RedisProcess started = start(role, port, arguments);
            try {
                Await.until(started + " answers PING", START_TIMEOUT, () -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException(started + " exited at start\n" + diagnostics());
                    }
                    return "PONG".equals(RedisCommand.send(port, "PING"));
                }, this::diagnostics);
                return started;
            } catch (IllegalStateException e) {
                if (!started.lostPortRace() || attempt == PORT_ATTEMPTS) {
                    throw e;
                }
                processes.remove(started);
            }
        }
    }

    private RedisProcess start(String role, int port, Arguments arguments) {
        Path log = dir.resolve(role + "-" + port + ".log");
        try {
            List<String> command = new ArrayList<>();
            command.add(RedisBinaries.path(RedisBinaries.SERVER));
            command.addAll(arguments.forPort(port));
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            RedisProcess started = new RedisProcess(role, port, process, log);
            processes.add(started); // from now on close() stops it, also if the fixture fails to start
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int reserveFreePort(boolean clusterBus) {
        try {
            while (true) {
                int port = RedisServer.freePort();
                int bus = port + CLUSTER_BUS_OFFSET;
                if (reservedPorts.contains(port)
                        || clusterBus && (bus > 65535 || reservedPorts.contains(bus) || !isFree(bus))) {
                    continue; // the kernel hands out ports spread over its range; the next one will do
                }
                reservedPorts.add(port);
                if (clusterBus) {
                    reservedPorts.add(bus);
                }
                return port;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The arguments every data node (not a sentinel) starts with: loopback only, nothing
     * persisted, its own directory (a replica's full sync writes dump.rdb there), and full
     * syncs sent at once instead of after 5 s of waiting for more replicas to share them.
     */
    List<String> dataNodeArguments(int port) throws IOException {
        Path nodeDir = Files.createDirectories(nodeDir(port));
        return List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--daemonize", "no",
                "--dir", nodeDir.toString(), "--save", "", "--appendonly", "no",
                "--repl-diskless-sync-delay", "0");
    }

    Path nodeDir(int port) {
        return dir.resolve("node-" + port);
    }

    List<RedisProcess> processes() {
        return List.copyOf(processes);
    }

    List<RedisProcess> live(String role) {
        return processes.stream().filter(p -> p.role().equals(role) && p.isAlive()).toList();
    }

    Optional<RedisProcess> find(int port) {
        return processes.stream().filter(p -> p.port() == port).findFirst();
    }

    RedisProcess byPort(int port) {
        return find(port).orElseThrow(() -> new IllegalArgumentException("no process of this fixture listens on port " + port));
    }

    RedisProcess byAddress(String address) {
        String prefix = "redis://127.0.0.1:";
        if (!address.startsWith(prefix)) {
            throw new IllegalArgumentException("not an address of this fixture: " + address);
        }
        return byPort(Integer.parseInt(address.substring(prefix.length())));
    }

    /** A question to live processes that must answer. */
    @FunctionalInterface
    interface Query<T> {
        T run() throws IOException;
    }

    /** Runs the query; if a process does not answer, fails with the tail of every log. */
    <T> T ask(Query<T> query) {
        try {
            return query.run();
        } catch (IOException e) {
            throw new IllegalStateException("a Redis process did not answer: " + e.getMessage() + "\n" + diagnostics(), e);
        }
    }

    /** Every process with the tail of its log, for failure messages. */
    String diagnostics() {
        return "Redis processes in " + dir + ":\n" + processes.stream()
                .map(p -> p.describe(LOG_TAIL_LINES))
                .collect(Collectors.joining("\n"));
    }

    /**
     * Waits until every live replica among {@code nodes} has applied all that its master had
     * written when this was called (its {@code slave_repl_offset} reaches the master's
     * {@code master_repl_offset} read first). Replication is asynchronous: what a master
     * acknowledged but had not sent before it died is lost in a failover; tests that assert
     * data survives one call this before killing the master.
     */
    void awaitReplicasCaughtUp(List<RedisProcess> nodes, Duration timeout) {
        record Target(int replicaPort, long masterOffset) {
        }
        List<Target> targets = new ArrayList<>();
        try {
            for (RedisProcess node : nodes) {
                var replication = RedisCommand.fields(node.port(), "INFO", "replication");
                if ("slave".equals(replication.get("role"))) {
                    int masterPort = Integer.parseInt(replication.get("master_port"));
                    if (byPort(masterPort).isAlive()) {
                        long offset = Long.parseLong(
                                RedisCommand.fields(masterPort, "INFO", "replication").get("master_repl_offset"));
                        targets.add(new Target(node.port(), offset));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("reading replication offsets failed: " + e.getMessage() + "\n" + diagnostics(), e);
        }
        Await.until("replicas caught up with their masters", timeout, () -> {
            for (Target target : targets) {
                var replication = RedisCommand.fields(target.replicaPort(), "INFO", "replication");
                if (!"up".equals(replication.get("master_link_status"))
                        || Long.parseLong(replication.get("slave_repl_offset")) < target.masterOffset()) {
                    return false;
                }
            }
            return true;
        }, this::diagnostics);
    }

    /** Stops every process by PID (SIGTERM to all, then SIGKILL to any still there after 10 s) and deletes the directory. */
    @Override
    public void close() {
        processes.stream().filter(RedisProcess::isAlive).forEach(RedisProcess::beginStopping);
        processes.forEach(RedisProcess::finishStopping);
        if (!Files.exists(dir)) {
            return; // closed before
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }
}
