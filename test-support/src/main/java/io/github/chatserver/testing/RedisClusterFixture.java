package io.github.chatserver.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Redis Cluster of three masters, each with one replica: six {@code redis-server}
 * processes with {@code --cluster-enabled yes} on free loopback ports, joined by
 * {@code redis-cli --cluster create}. {@link #start()} returns once every node reports
 * {@code cluster_state:ok} with all 16384 slots served and every replica is linked to its master.
 *
 * <p>For failure tests, {@link #killMaster(String)} SIGKILLs a master's PID and
 * {@link #awaitFailover(String)} waits until one of its replicas has taken over its slots and
 * the cluster is whole again. {@link #close()} stops every process by PID and deletes the
 * fixture's temporary directory (cluster state files and logs).
 */
public final class RedisClusterFixture implements AutoCloseable {
    private static final String NODE = "cluster-node";
    private static final int MASTERS = 3;
    private static final int NODES = MASTERS * 2;
    /**
     * How long a node may be unreachable before it is suspected: failover takes this plus about
     * a second. Small for fast tests, yet not so small that a node starved of CPU for a moment
     * on a loaded machine is declared failed.
     */
    private static final int NODE_TIMEOUT_MS = 2000;
    /** Generous deadlines: several builds may share the machine's two cores. */
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REPLICATION_TIMEOUT = Duration.ofSeconds(60);

    private final RedisProcessGroup processes;
    /** Port of each master killed by {@link #killMaster}, with the ports of its replicas at that moment. */
    private final Map<Integer, Set<Integer>> replicasOfKilledMasters = new HashMap<>();

    private RedisClusterFixture(RedisProcessGroup processes) {
        this.processes = processes;
    }

    /** Starts the six nodes, creates the cluster and waits until it is whole; stops what it started if that fails. */
    public static RedisClusterFixture start() {
        return RedisProcessGroup.startFixture("cluster", processes -> {
            RedisClusterFixture cluster = new RedisClusterFixture(processes);
            for (int i = 0; i < NODES; i++) {
                processes.launch(NODE, true, port -> nodeArguments(processes, port));
            }
            cluster.create();
            Await.until("cluster of " + MASTERS + " masters with a replica each settled", SETTLE_TIMEOUT,
                    () -> cluster.slotOwnersOnceSettled().isPresent(), processes::diagnostics);
            return cluster;
        });
    }

    private static List<String> nodeArguments(RedisProcessGroup processes, int port) throws IOException {
        List<String> arguments = new ArrayList<>(processes.dataNodeArguments(port));
        arguments.addAll(List.of("--cluster-enabled", "yes",
                "--cluster-config-file", processes.nodeDir(port).resolve("nodes.conf").toString(),
                "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MS),
                // A replica may take over however long it was cut off: on a loaded machine its
                // link may have been down a while, and the tests want a failover, not a stuck cluster.
                "--cluster-replica-validity-factor", "0"));
        return arguments;
    }

    private void create() {
        List<String> command = new ArrayList<>(List.of(RedisBinaries.path(RedisBinaries.CLI), "--cluster", "create"));
        processes.processes().forEach(node -> command.add("127.0.0.1:" + node.port()));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        Path output = processes.dir().resolve("cluster-create.log");
        Process cli;
        try {
            cli = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            String failure = !cli.waitFor(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    ? "did not finish within " + CREATE_TIMEOUT.toSeconds() + " s"
                    : cli.exitValue() != 0 ? "failed (code " + cli.exitValue() + ")" : null;
            if (failure != null) {
                throw new IllegalStateException("redis-cli --cluster create " + failure + ":\n"
                        + Files.readString(output) + "\n" + processes.diagnostics());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the cluster", e);
        } finally {
            if (cli.isAlive()) {
                cli.destroyForcibly(); // SIGKILL to its PID: it was waiting for a cluster that does not form
            }
        }
    }

    /** The ports of the masters serving the slots, if the cluster is whole (see {@link ClusterSnapshot#slotOwnersIfWhole}). */
    private Optional<Set<Integer>> slotOwnersOnceSettled() throws IOException {
        return snapshot().slotOwnersIfWhole(NODES, MASTERS);
    }

    private ClusterSnapshot snapshot() throws IOException {
        return ClusterSnapshot.take(processes, processes.live(NODE));
    }

    private static List<ClusterNodeEntry> view(RedisProcess node) throws IOException {
        return ClusterNodeEntry.parseAll(RedisCommand.text(node.port(), "CLUSTER", "NODES"));
    }

    /** Every node the fixture started, as {@code redis://127.0.0.1:port}, killed ones included. */
    public List<String> addresses() {
        return processes.processes().stream().map(RedisProcess::address).toList();
    }

    /** The live nodes that say they are masters. */
    public List<String> masters() {
        return liveNodesWithRole("master");
    }

    /** The live nodes that say they are replicas. */
    public List<String> replicas() {
        return liveNodesWithRole("slave");
    }

    private List<String> liveNodesWithRole(String role) {
        List<String> addresses = new ArrayList<>();
        for (RedisProcess node : processes.live(NODE)) {
            if (role.equals(processes.ask(() -> RedisCommand.fields(node.port(), "INFO", "replication").get("role")))) {
                addresses.add(node.address());
            }
        }
        return addresses;
    }

    /** The master serving a hash slot ({@code CLUSTER KEYSLOT}), as a live node sees the cluster. */
    public String masterOfSlot(int slot) {
        RedisProcess observer = processes.live(NODE).get(0);
        ClusterNodeEntry owner = processes.ask(() -> view(observer)).stream()
                .filter(entry -> !entry.failed() && entry.ownsSlot(slot)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no live master serves slot " + slot));
        return processes.byPort(owner.port()).address();
    }

    /**
     * SIGKILLs the PID of a live master, as a crash would, and remembers its replicas for
     * {@link #awaitFailover(String)}. Writes it acknowledged but had not yet sent to its replica
     * are lost: call {@link #awaitReplicasCaughtUp()} first where a test needs them.
     */
    public void killMaster(String address) {
        RedisProcess master = processes.byAddress(address);
        if (!masters().contains(address)) {
            throw new IllegalArgumentException(address + " is not a live master");
        }
        Set<Integer> replicas = processes.ask(() -> snapshot().replicasOf(master.port()));
        if (replicas.isEmpty()) {
            throw new IllegalStateException(address + " has no replica to take over from it");
        }
        replicasOfKilledMasters.put(master.port(), replicas);
        master.kill();
    }

    /**
     * Waits until a replica of the master killed by {@link #killMaster(String)} serves its slots
     * and the cluster is whole again (see {@link #start()}), and returns that replica's address.
     */
    public String awaitFailover(String killedMaster) {
        int killedPort = processes.byAddress(killedMaster).port();
        Set<Integer> candidates = replicasOfKilledMasters.get(killedPort);
        if (candidates == null) {
            throw new IllegalArgumentException(killedMaster + " was not killed with killMaster");
        }
        AtomicInteger promoted = new AtomicInteger();
        Await.until("failover of " + killedMaster + " to one of its replicas " + candidates, FAILOVER_TIMEOUT, () -> {
            Optional<Set<Integer>> owners = slotOwnersOnceSettled();
            Optional<Integer> successor = owners.flatMap(ports -> candidates.stream().filter(ports::contains).findFirst());
            successor.ifPresent(promoted::set);
            return successor.isPresent();
        }, processes::diagnostics);
        return processes.byPort(promoted.get()).address();
    }

    /**
     * Waits until every live replica has applied what its master had written when this was
     * called. Replication is asynchronous; a test that asserts data survives a failover calls
     * this before {@link #killMaster(String)}.
     */
    public void awaitReplicasCaughtUp() {
        processes.awaitReplicasCaughtUp(processes.live(NODE), REPLICATION_TIMEOUT);
    }

    /** Stops every node by PID and deletes the temporary directory. */
    @Override
    public void close() {
        processes.close();
    }
}
