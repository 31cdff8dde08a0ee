package io.github.chatserver.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Redis Sentinel deployment: one master, one replica ({@code --replicaof}) and three
 * sentinels ({@code redis-server <conf> --sentinel}, quorum 2) monitoring the master as
 * {@link #MASTER_NAME}, all on free loopback ports. {@link #start()} returns once every sentinel
 * sees the master, its linked replica and the two other sentinels.
 *
 * <p>For failure tests, {@link #killMaster()} SIGKILLs the master's PID and
 * {@link #awaitFailover()} waits until every sentinel names the promoted replica as master.
 * {@link #close()} stops every process by PID and deletes the fixture's temporary directory
 * (the sentinels' configuration files, which they rewrite, and the logs).
 */
public final class RedisSentinelFixture implements AutoCloseable {
    /** The name the sentinels monitor the master under: Redisson's {@code masterName}. */
    public static final String MASTER_NAME = "chat-master";
    private static final String DATA_NODE = "data-node";
    private static final String SENTINEL = "sentinel";
    private static final int SENTINELS = 3;
    private static final int QUORUM = 2;
    /** A master silent this long is down for a sentinel: failover takes this plus a second or two. */
    private static final int DOWN_AFTER_MS = 1000;
    /** Also how soon (twice this) sentinels retry a failover whose election failed. */
    private static final int FAILOVER_TIMEOUT_MS = 5000;
    /** Generous deadlines: several builds may share the machine's two cores. */
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REPLICATION_TIMEOUT = Duration.ofSeconds(60);

    private final RedisProcessGroup processes;
    private int killedMasterPort;

    private RedisSentinelFixture(RedisProcessGroup processes) {
        this.processes = processes;
    }

    /** Starts master, replica and sentinels and waits until the sentinels agree; stops what it started if that fails. */
    public static RedisSentinelFixture start() {
        return RedisProcessGroup.startFixture("sentinel", processes -> {
            RedisSentinelFixture fixture = new RedisSentinelFixture(processes);
            RedisProcess master = processes.launch(DATA_NODE, false, processes::dataNodeArguments);
            RedisProcess replica = processes.launch(DATA_NODE, false, port -> replicaArguments(processes, port, master.port()));
            // Linked before the sentinels start: a sentinel learns of replicas from the master's
            // INFO, which it reads at once and then only every 10 s.
            processes.awaitReplicasCaughtUp(processes.live(DATA_NODE), REPLICATION_TIMEOUT);
            for (int i = 0; i < SENTINELS; i++) {
                processes.launch(SENTINEL, false, port -> sentinelArguments(processes.dir(), port, master.port()));
            }
            Await.until("every sentinel sees master " + master + ", replica " + replica + " and the other sentinels",
                    SETTLE_TIMEOUT, () -> fixture.sentinelsAgree(master.port(), replica.port()), processes::diagnostics);
            return fixture;
        });
    }

    private static List<String> replicaArguments(RedisProcessGroup processes, int port, int masterPort) throws IOException {
        List<String> arguments = new ArrayList<>(processes.dataNodeArguments(port));
        arguments.addAll(List.of("--replicaof", "127.0.0.1", String.valueOf(masterPort)));
        return arguments;
    }

    /** A sentinel rewrites its configuration file (discovered peers, epochs), so each gets its own, writable. */
    private static List<String> sentinelArguments(Path dir, int port, int masterPort) throws IOException {
        Path config = dir.resolve("sentinel-" + port + ".conf");
        Files.writeString(config, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "daemonize no",
                "dir " + dir,
                // Everything is on 127.0.0.1, so each process is announced by the address it is
                // reached at: no announce-ip, no hostnames to resolve.
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " " + QUORUM,
                "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
                "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MS,
                "sentinel parallel-syncs " + MASTER_NAME + " 1",
                ""));
        return List.of(config.toString(), "--sentinel");
    }

    /**
     * True when every live sentinel monitors {@code masterPort} as a healthy master, knows the
     * two other sentinels, and sees the replica on {@code replicaPort} linked to it.
     */
    private boolean sentinelsAgree(int masterPort, int replicaPort) throws IOException {
        for (RedisProcess sentinel : processes.live(SENTINEL)) {
            if (!healthyMaster(sentinel, masterPort)) {
                return false;
            }
            Object replicas = RedisCommand.send(sentinel.port(), "SENTINEL", "REPLICAS", MASTER_NAME);
            if (!(replicas instanceof List<?> entries)) {
                return false;
            }
            boolean replicaLinked = false;
            for (Object entry : entries) {
                Map<String, String> replica = RedisCommand.pairs(entry);
                replicaLinked |= String.valueOf(replicaPort).equals(replica.get("port"))
                        && "slave".equals(replica.get("flags")) && "ok".equals(replica.get("master-link-status"));
            }
            if (!replicaLinked) {
                return false;
            }
        }
        return true;
    }

    /** The sentinel monitors {@code masterPort}, finds it up and not failing over, and knows the other sentinels. */
    private boolean healthyMaster(RedisProcess sentinel, int masterPort) throws IOException {
        Map<String, String> master = RedisCommand.pairs(RedisCommand.send(sentinel.port(), "SENTINEL", "MASTER", MASTER_NAME));
        return String.valueOf(masterPort).equals(master.get("port"))
                && "master".equals(master.get("flags"))
                && String.valueOf(SENTINELS - 1).equals(master.get("num-other-sentinels"));
    }

    public String masterName() {
        return MASTER_NAME;
    }

    /** The sentinels, as {@code redis://127.0.0.1:port}: what Redisson's {@code sentinelAddresses} take. */
    public List<String> sentinelAddresses() {
        return processes.processes().stream().filter(p -> p.role().equals(SENTINEL)).map(RedisProcess::address).toList();
    }

    /** The master as the first live sentinel names it ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}). */
    public String master() {
        RedisProcess sentinel = processes.live(SENTINEL).get(0);
        return processes.byPort(processes.ask(() -> masterPortNamedBy(sentinel))).address();
    }

    private static int masterPortNamedBy(RedisProcess sentinel) throws IOException {
        Object reply = RedisCommand.send(sentinel.port(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        if (!(reply instanceof List<?> hostAndPort) || hostAndPort.size() != 2) {
            throw new IOException(sentinel + " does not know master " + MASTER_NAME + ": " + reply);
        }
        return Integer.parseInt(String.valueOf(hostAndPort.get(1)));
    }

    /**
     * SIGKILLs the master's PID, as a crash would, and returns its address. Writes it acknowledged
     * but had not yet sent to its replica are lost: call {@link #awaitReplicasCaughtUp()} first
     * where a test needs them.
     */
    public String killMaster() {
        RedisProcess master = processes.byAddress(master());
        killedMasterPort = master.port();
        master.kill();
        return master.address();
    }

    /**
     * Waits until every live sentinel names the same live data node, not the killed master, as
     * the master, is done failing over and knows the other sentinels, and that node says it is a
     * master; returns its address.
     */
    public String awaitFailover() {
        if (killedMasterPort == 0) {
            throw new IllegalStateException("no master was killed with killMaster");
        }
        AtomicInteger promoted = new AtomicInteger();
        Await.until("sentinels fail over from killed master 127.0.0.1:" + killedMasterPort, FAILOVER_TIMEOUT, () -> {
            int named = masterPortNamedBy(processes.live(SENTINEL).get(0));
            if (named == killedMasterPort || !processes.find(named).map(RedisProcess::isAlive).orElse(false)
                    || !"master".equals(RedisCommand.fields(named, "INFO", "replication").get("role"))) {
                return false;
            }
            for (RedisProcess sentinel : processes.live(SENTINEL)) {
                if (!healthyMaster(sentinel, named)) {
                    return false;
                }
            }
            promoted.set(named);
            return true;
        }, processes::diagnostics);
        return processes.byPort(promoted.get()).address();
    }

    /**
     * Waits until the replica has applied what the master had written when this was called.
     * Replication is asynchronous; a test that asserts data survives a failover calls this before
     * {@link #killMaster()}.
     */
    public void awaitReplicasCaughtUp() {
        processes.awaitReplicasCaughtUp(processes.live(DATA_NODE), REPLICATION_TIMEOUT);
    }

    /** Stops every process by PID and deletes the temporary directory. */
    @Override
    public void close() {
        processes.close();
    }
}
