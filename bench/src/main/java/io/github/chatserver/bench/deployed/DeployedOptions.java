package io.github.chatserver.bench.deployed;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The command line of the deployed benchmark (scripts/bench-deployed.sh passes the paths). */
final class DeployedOptions {
    static final String USAGE = """
            usage: scripts/bench-deployed.sh [options]
              (the script builds the Go tools and passes --root, --run-dir, --gobench, --relaylimit, --bench-jar)

            Starts the distribution with ./run.sh --no-build --port P (per-address limits opened in its
            etc/io.github.chatserver.cfg) and the bare Go relay, then runs every shape with each generator,
            interleaved: Karaf, relay, Karaf, relay, ... Writes one JSON per run and summary.md with a
            table per shape under OUT/deployed-<date>/.

            runs
              --shapes LIST          comma-separated, default all: %s
              --generators LIST      gobench,bench (default both)
              --runs N               runs per shape, generator and target (default 3)
              --seconds S            measured window of each run (default 10)
              --warmup S             traffic before the window (default 5)
              --jit-warmup S         pingpong against Karaf before the first run, not measured, so that
                                     its JIT has compiled the hot paths (default 20; 0: none)

            sizes
              --pingpong-conns N     pingpong connections (200)        --pingpong-inflight K   per pair (10)
              --open-conns N         open20k/open50k connections (200) --pingpong1k-conns N    (1000)
              --fanout-members M     (1000)                            --fanout-inflight K     group texts (10)
              --idle-conns N         (10000)
              --offline-users U      (10)                              --offline-messages M    per user (50000)

            server
              --port P               Karaf's chat port (default: the first from 18989 whose ports are all free;
                                     run.sh moves SSH, JMX RMI and TLS with it)
              --relay-port P         the relay's port (default: a free one)
              --set KEY=VALUE        one more setting for etc/io.github.chatserver.cfg (repeatable), e.g. ioThreads=1

            paths
              --root DIR             the repository (run.sh, features/); default: the working directory
              --run-dir DIR          CHAT_RUN_DIR of run.sh: the instance and its Redis (required)
              --out DIR              results (default bench-results)
              --gobench F --relaylimit F --bench-jar F    the tools (required)
              --command TEXT         the command line to record in the summary
            """.formatted(Shape.ids());

    List<Shape> shapes = List.of(Shape.values());
    List<Generator> generators = List.of(Generator.GOBENCH, Generator.BENCH);
    int runs = 3;
    double seconds = 10;
    double warmup = 5;
    double jitWarmup = 20;
    int pingpongConns = 200;
    int pingpongInflight = 10;
    int openConns = 200;
    int pingpong1kConns = 1000;
    int fanoutMembers = 1000;
    int fanoutInflight = 10;
    int idleConns = 10_000;
    int offlineUsers = 10;
    int offlineMessages = 50_000;
    int port;
    int relayPort;
    Map<String, String> settings = new LinkedHashMap<>();
    Path root = Path.of("").toAbsolutePath();
    Path runDir;
    Path out = Path.of("bench-results");
    Path gobench;
    Path relaylimit;
    Path benchJar;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String command;
    boolean help;

    static DeployedOptions parse(String... args) {
        DeployedOptions o = new DeployedOptions();
        Deque<String> q = new ArrayDeque<>(Arrays.asList(args));
        while (!q.isEmpty()) {
            String a = q.poll();
            String v = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                v = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "-h", "--help" -> o.help = true;
                case "--shapes" -> o.shapes = list(val(a, v, q)).stream().map(Shape::byId).distinct().toList();
                case "--generators" -> o.generators = list(val(a, v, q)).stream().map(Generator::byId).distinct().toList();
                case "--runs" -> o.runs = (int) num(a, val(a, v, q), 1, 100);
                case "--seconds" -> o.seconds = num(a, val(a, v, q), 1, 3600);
                case "--warmup" -> o.warmup = num(a, val(a, v, q), 0, 3600);
                case "--jit-warmup" -> o.jitWarmup = num(a, val(a, v, q), 0, 3600);
                case "--pingpong-conns" -> o.pingpongConns = even(a, num(a, val(a, v, q), 2, 20_000));
                case "--pingpong-inflight" -> o.pingpongInflight = (int) num(a, val(a, v, q), 1, 10_000);
                case "--open-conns" -> o.openConns = even(a, num(a, val(a, v, q), 2, 20_000));
                case "--pingpong1k-conns" -> o.pingpong1kConns = even(a, num(a, val(a, v, q), 2, 20_000));
                case "--fanout-members" -> o.fanoutMembers = (int) num(a, val(a, v, q), 1, 100_000);
                case "--fanout-inflight" -> o.fanoutInflight = (int) num(a, val(a, v, q), 1, 10_000);
                case "--idle-conns" -> o.idleConns = (int) num(a, val(a, v, q), 1, 1_000_000);
                case "--offline-users" -> o.offlineUsers = (int) num(a, val(a, v, q), 1, 100_000);
                case "--offline-messages" -> o.offlineMessages = (int) num(a, val(a, v, q), 1, 10_000_000);
                case "--port" -> o.port = (int) num(a, val(a, v, q), 1024, 65535);
                case "--relay-port" -> o.relayPort = (int) num(a, val(a, v, q), 1024, 65535);
                case "--set" -> setting(o, val(a, v, q));
                case "--root" -> o.root = Path.of(val(a, v, q)).toAbsolutePath();
                case "--run-dir" -> o.runDir = Path.of(val(a, v, q)).toAbsolutePath();
                case "--out" -> o.out = Path.of(val(a, v, q));
                case "--gobench" -> o.gobench = Path.of(val(a, v, q)).toAbsolutePath();
                case "--relaylimit" -> o.relaylimit = Path.of(val(a, v, q)).toAbsolutePath();
                case "--bench-jar" -> o.benchJar = Path.of(val(a, v, q)).toAbsolutePath();
                case "--command" -> o.command = val(a, v, q);
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (o.command == null) {
            o.command = "java -cp chatserver-bench.jar " + DeployedBench.class.getName() + " " + String.join(" ", args);
        }
        if (!o.help) {
            for (var required : List.of(Map.entry("--run-dir", o.runDir == null), Map.entry("--relaylimit", o.relaylimit == null),
                    Map.entry("--bench-jar", o.benchJar == null))) {
                if (required.getValue()) {
                    throw new IllegalArgumentException(required.getKey() + " is required");
                }
            }
            if (o.gobench == null && o.generators.contains(Generator.GOBENCH)) {
                throw new IllegalArgumentException("--gobench is required (or --generators bench)");
            }
        }
        return o;
    }

    private static void setting(DeployedOptions o, String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0 || !kv.substring(0, eq).trim().matches("[A-Za-z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException("--set needs KEY=VALUE, not '" + kv + "'");
        }
        o.settings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }

    private static List<String> list(String s) {
        List<String> l = new ArrayList<>();
        for (String p : s.split(",")) {
            if (!p.isBlank()) {
                l.add(p.trim());
            }
        }
        if (l.isEmpty()) {
            throw new IllegalArgumentException("an empty list: '" + s + "'");
        }
        return l;
    }

    private static int even(String opt, double v) {
        if (v % 2 != 0) {
            throw new IllegalArgumentException(opt + " must be even: connections are used in pairs");
        }
        return (int) v;
    }

    private static String val(String opt, String inline, Deque<String> q) {
        if (inline != null) {
            return inline;
        }
        String v = q.poll();
        if (v == null) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return v;
    }

    private static double num(String opt, String s, double min, double max) {
        double d;
        try {
            d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a number, not '" + s + "'");
        }
        if (d < min || d > max) {
            throw new IllegalArgumentException(opt + " must be within " + Shape.num(min) + ".." + Shape.num(max));
        }
        return d;
    }
}
