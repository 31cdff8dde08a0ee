package io.github.chatserver.bench.deployed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat server as an operator runs it: the distribution started by {@code ./run.sh --no-build
 * --port P} in a run directory of its own (CHAT_RUN_DIR), so a developer's .run/ is never touched.
 * Before the start, the instance's etc/io.github.chatserver.cfg is written with the overload limits
 * opened up: run.sh installs the default file only where there is none and keeps it across new
 * unpacks (docs/operations.md). Stopped by PID: SIGTERM to run.sh, which stops its Karaf in order;
 * then the Redis it started (run.sh leaves Redis running by design).
 */
final class KarafInstance implements AutoCloseable {
    static final String CFG_NAME = "io.github.chatserver.cfg";
    static final int DEFAULT_PORT = 8989;
    private static final Pattern LISTENING = Pattern.compile("The chat server is listening on port (\\d+):.*\\(Karaf pid (\\d+)\\)");

    /**
     * One address brings all the load here: per-address connection limits, session rates and queue
     * limits opened up as for the in-process benchmark (bench's Target.benchSettings); the cap of
     * stored messages per user raised for the offline shape.
     */
    static final Map<String, String> OPEN_LIMITS = openLimits();

    final Process runSh;
    final Endpoint endpoint;
    final Path runDir;
    final Path instance;
    final List<String> command;
    final Map<String, String> settings;

    private KarafInstance(Process runSh, Endpoint endpoint, Path runDir, Path instance, List<String> command,
                          Map<String, String> settings) {
        this.runSh = runSh;
        this.endpoint = endpoint;
        this.runDir = runDir;
        this.instance = instance;
        this.command = command;
        this.settings = settings;
    }

    private static Map<String, String> openLimits() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("maxConnections", "1000000");
        m.put("maxConnectionsPerAddress", "1000000");
        m.put("connectionsPerSecondPerAddress", "1000000");
        m.put("connectionBurstPerAddress", "1000000");
        m.put("packetsPerSecond", "100000000");
        m.put("bytesPerSecond", String.valueOf(Integer.MAX_VALUE));
        m.put("maxQueuedOutboundBytes", String.valueOf(1L << 30));
        m.put("maxMembersPerGroup", "1000000");
        m.put("offlineCap", "10000000");
        return m;
    }

    /** The instance directory run.sh uses for chat port {@code port}. */
    static Path instanceDir(Path runDir, int port) {
        return runDir.resolve(port == DEFAULT_PORT ? "karaf" : "karaf-" + port);
    }

    static KarafInstance start(Path root, Path runDir, int port, Map<String, String> extra, Path log, Duration timeout)
            throws IOException, InterruptedException {
        Path instance = instanceDir(runDir, port);
        Map<String, String> settings = new LinkedHashMap<>(OPEN_LIMITS);
        settings.putAll(extra);
        Path cfg = instance.resolve("etc").resolve(CFG_NAME);
        if (!Files.exists(cfg)) {
            Files.createDirectories(cfg.getParent());
            Files.copy(root.resolve("features/src/main/cfg").resolve(CFG_NAME), cfg);
        }
        Files.write(cfg, Cfg.set(Files.readAllLines(cfg), settings));

        List<String> command = List.of("bash", root.resolve("run.sh").toString(), "--no-build", "--port", String.valueOf(port));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("CHAT_RUN_DIR", runDir.toString());
        pb.environment().remove("CHAT_REDIS_ADDRESS"); // its own Redis, so the offline shape may load it
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<long[]> listening = new CompletableFuture<>();
        List<String> tail = new ArrayList<>();
        ChildProcess.pump(p.getInputStream(), log, line -> {
            synchronized (tail) {
                tail.add(line);
                if (tail.size() > 40) {
                    tail.remove(0);
                }
            }
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                listening.complete(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        });
        p.onExit().thenRun(() -> listening.completeExceptionally(new IOException("run.sh exited with status " + p.exitValue())));
        long[] up;
        try {
            up = listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            ChildProcess.stop(p.toHandle(), Duration.ofSeconds(90));
            stopRedis(runDir);
            String why = e instanceof TimeoutException ? "no listening line within " + timeout.toSeconds() + " s" : e.getCause().getMessage();
            synchronized (tail) {
                throw new IOException("Karaf did not start (" + why + "); run.sh said:\n  " + String.join("\n  ", tail));
            }
        }
        KarafInstance k = new KarafInstance(p, new Endpoint(Endpoint.Target.KARAF, "127.0.0.1", (int) up[0], up[1],
                redisPort(runDir)), runDir, instance, command, settings);
        // A run.sh that replaced the file would leave the default limits: every number would be throttling.
        Map<String, String> now = Cfg.read(Files.readAllLines(cfg));
        for (var e : settings.entrySet()) {
            if (!e.getValue().equals(now.get(e.getKey()))) {
                k.close();
                throw new IOException(cfg + " has " + e.getKey() + " = " + now.get(e.getKey()) + " after the start, not " + e.getValue());
            }
        }
        return k;
    }

    private static int redisPort(Path runDir) throws IOException {
        Path f = runDir.resolve("redis.port");
        return Files.exists(f) ? Integer.parseInt(Files.readString(f).trim()) : 0;
    }

    /** The Redis run.sh started in this run directory, by its pidfile, if it is a redis process. */
    static void stopRedis(Path runDir) {
        try {
            Path f = runDir.resolve("redis.pid");
            if (!Files.exists(f)) {
                return;
            }
            ProcessHandle.of(Long.parseLong(Files.readString(f).trim()))
                    // Debian's redis-server is a link to redis-check-rdb: match "redis" only
                    .filter(h -> h.info().command().map(c -> c.contains("redis")).orElse(false))
                    .ifPresent(h -> ChildProcess.stop(h, Duration.ofSeconds(20)));
        } catch (IOException | NumberFormatException e) {
            // no pidfile to read: nothing was started
        }
    }

    /** Karaf's logs, for the results. */
    void copyLogs(Path dir) throws IOException {
        for (String name : List.of("chatserver.log", "karaf.log")) {
            Path f = instance.resolve("data/log").resolve(name);
            if (Files.exists(f)) {
                Files.copy(f, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Override
    public void close() {
        ChildProcess.stop(runSh.toHandle(), Duration.ofSeconds(90));
        // run.sh stops Karaf on SIGTERM; should it have died first, Karaf is stopped here
        ProcessHandle.of(endpoint.pid()).ifPresent(h -> ChildProcess.stop(h, Duration.ofSeconds(60)));
        stopRedis(runDir);
    }

    /** Reading and setting keys of a .cfg file, as run.sh's cfg_get / cfg_set do. */
    static final class Cfg {
        private Cfg() {
        }

        static Map<String, String> read(List<String> lines) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : lines) {
                String t = line.trim();
                int eq = t.indexOf('=');
                if (!t.startsWith("#") && eq > 0) {
                    m.put(t.substring(0, eq).trim(), t.substring(eq + 1).trim());
                }
            }
            return m;
        }

        /** The lines with each key's last assignment replaced, and keys not assigned yet appended. */
        static List<String> set(List<String> lines, Map<String, String> values) {
            List<String> out = new ArrayList<>(lines);
            for (var e : values.entrySet()) {
                Pattern key = Pattern.compile("^\\s*" + Pattern.quote(e.getKey()) + "\\s*=");
                int last = -1;
                for (int i = 0; i < out.size(); i++) {
                    if (key.matcher(out.get(i)).find()) {
                        last = i;
                    }
                }
                String line = e.getKey() + "=" + e.getValue();
                if (last >= 0) {
                    out.set(last, line);
                } else {
                    out.add(line);
                }
            }
            return out;
        }
    }
}
