package io.github.chatserver.bench.deployed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Performance as deployed: the distribution started by run.sh, the bare Go relay beside it, and
 * the load from separate processes (gobench and the project's generator), each shape interleaved
 * Karaf, relay, Karaf, relay ... so that both see the same machine. Writes one JSON per run and
 * summary.md (a table per shape, the commands, the date) under OUT/deployed-DATE/. Started by
 * scripts/bench-deployed.sh, which builds the tools; docs/benchmarks.md "Measured as deployed".
 */
public final class DeployedBench {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int RUNS_HAD_ERRORS = 3;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Beyond warm-up and window: logins, drain, the generator's JVM start, the offline fetch. */
    private static final Duration RUN_SLACK = Duration.ofMinutes(5);

    private final DeployedOptions o;
    private final PrintStream log;
    private final Path dir;
    private final List<RunResult> results = new ArrayList<>();
    private final Map<String, List<String>> commands = new LinkedHashMap<>();
    /** The generator running now, for the shutdown hook. */
    private volatile ProcessHandle generator;
    /** Set by the shutdown hook (Ctrl-C, SIGTERM): no further run starts. */
    private volatile boolean stopping;

    private DeployedBench(DeployedOptions o, PrintStream log, Path dir) {
        this.o = o;
        this.log = log;
        this.dir = dir;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) {
        DeployedOptions o;
        try {
            o = DeployedOptions.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("bench-deployed: error: " + e.getMessage() + " (try --help)");
            return USAGE;
        }
        if (o.help) {
            out.print(DeployedOptions.USAGE);
            return OK;
        }
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        Path dir = o.out.resolve("deployed-" + started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath();
        try {
            Files.createDirectories(dir.resolve("runs"));
            return new DeployedBench(o, out, dir).execute(started);
        } catch (Exception e) {
            out.println("bench-deployed: error: " + e.getMessage());
            return FAILED;
        }
    }

    private int execute(ZonedDateTime started) throws Exception {
        String loadBefore = loadAverage();
        int port = o.port > 0 ? o.port : Ports.freeKarafPort(18989);
        int relayPort = o.relayPort > 0 ? o.relayPort : Ports.freePort();
        say("results in " + dir);
        if (loadAverage1() > 1.0) {
            say("warning: load average " + loadBefore + " before the start: other processes compete for the cores, "
                    + "so these numbers do not stand for this server (use them to check the tooling)");
        }
        say("starting Karaf: CHAT_RUN_DIR=" + o.runDir + " ./run.sh --no-build --port " + port);
        try (KarafInstance karaf = KarafInstance.start(o.root, o.runDir, port, o.settings, dir.resolve("run.sh.log"),
                Duration.ofSeconds(300));
             Relay relay = Relay.start(o.relaylimit, relayPort, dir.resolve("relaylimit.log"), o.runDir.resolve("relaylimit.pid"))) {
            Thread hook = new Thread(() -> {
                // Ctrl-C or SIGTERM: the resources' close() would not run; stop everything here, by PID
                stopping = true;
                ProcessHandle gen = generator;
                if (gen != null) {
                    ChildProcess.stop(gen, Duration.ofSeconds(5));
                }
                relay.close();
                karaf.close();
            }, "bench-deployed-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            say("Karaf pid " + karaf.endpoint.pid() + " on " + port + " (Redis port " + karaf.endpoint.redisPort()
                    + "); relay pid " + relay.endpoint().pid() + " on " + relayPort);
            // open files right after the start: a run begins when the server is back near them
            Map<Endpoint.Target, Integer> files = new java.util.EnumMap<>(Endpoint.Target.class);
            files.put(Endpoint.Target.KARAF, ProcFs.openFiles(karaf.endpoint.pid()));
            files.put(Endpoint.Target.RELAY, ProcFs.openFiles(relay.endpoint().pid()));
            StringBuilder tables = new StringBuilder();
            try {
                warmJit(karaf.endpoint);
                runShapes(karaf, relay, files, tables);
            } finally {
                karaf.copyLogs(dir);
            }
            if (stopping) {
                say("interrupted: the runs so far are in " + dir.resolve("runs"));
                return FAILED;
            }
            Files.writeString(dir.resolve("summary.md"), header(started, loadBefore, karaf, relay) + tables);
            say("summary: " + dir.resolve("summary.md"));
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return results.stream().allMatch(r -> r.problem() == null) ? OK : RUNS_HAD_ERRORS;
    }

    /**
     * A generator has started. The hook sets {@code stopping} before it reads {@code generator}, so
     * one of the two stops a generator started while the hook runs.
     */
    private void started(ProcessHandle h) {
        generator = h;
        if (stopping) {
            ChildProcess.stop(h, Duration.ofSeconds(5));
        }
    }

    /**
     * A freshly started Karaf runs interpreted code at first; the short warm-up of each run does not
     * cover the JIT's compiling of the whole path. Not measured; the relay is compiled Go.
     */
    private void warmJit(Endpoint karaf) throws Exception {
        if (o.jitWarmup <= 0 || stopping) {
            return;
        }
        Generator g = o.generators.get(0);
        List<String> command = Shape.PINGPONG.command(g, karaf, o, dir.resolve("bench-files").toString(), o.jitWarmup, 0);
        say("warming Karaf's JIT for " + Shape.num(o.jitWarmup) + " s (not measured): " + String.join(" ", command));
        ChildProcess.Outcome outcome = ChildProcess.run(command, dir.resolve("runs").resolve("jit-warmup.stderr"), line -> { },
                Duration.ofMillis((long) (o.jitWarmup * 1000)).plus(RUN_SLACK), this::started);
        if (outcome.status() != 0) {
            say("warning: the JIT warm-up ended with status " + outcome.status() + " (see runs/jit-warmup.stderr)");
        }
    }

    /** Every shape, each run interleaved over generators and targets; a table per shape. */
    private void runShapes(KarafInstance karaf, Relay relay, Map<Endpoint.Target, Integer> files, StringBuilder tables)
            throws Exception {
        for (Shape shape : o.shapes) {
            if (stopping) {
                return;
            }
            List<RunResult> shapeResults = new ArrayList<>();
            for (int run = 1; run <= o.runs; run++) {
                for (Generator g : o.generators) {
                    if (!shape.runsWith(g)) {
                        continue;
                    }
                    for (Endpoint.Target t : shape.relayServes ? List.of(Endpoint.Target.KARAF, Endpoint.Target.RELAY)
                            : List.of(Endpoint.Target.KARAF)) {
                        if (stopping) {
                            return;
                        }
                        if (t == Endpoint.Target.RELAY && shape.kind == Shape.Kind.IDLE) {
                            relay.restart();
                            files.put(t, ProcFs.openFiles(relay.endpoint().pid()));
                        }
                        Endpoint target = t == Endpoint.Target.KARAF ? karaf.endpoint : relay.endpoint();
                        awaitConnectionsClosed(target, files.get(target.target()));
                        RunResult r = runOnce(shape, g, target, run);
                        shapeResults.add(r);
                        results.add(r);
                    }
                }
            }
            if (stopping) {
                return; // the last run was cut short: no table of it
            }
            String table = Table.markdown(shape, shape.title(o), shapeResults) + commandList(shape);
            tables.append(table).append('\n');
            log.println();
            log.println(table);
        }
    }

    private RunResult runOnce(Shape shape, Generator g, Endpoint target, int run) throws Exception {
        String name = shape.id + "-" + g.id + "-" + target.target().name().toLowerCase() + "-" + run;
        List<String> command = shape.command(g, target, o, dir.resolve("bench-files").toString());
        commands.putIfAbsent(shape.id + " " + g.id + " " + target.target().label, command);
        say(name + ": " + String.join(" ", command));
        CpuWindow cpu = new CpuWindow(target.pid());
        MemoryProbe memory = shape.kind == Shape.Kind.IDLE ? new MemoryProbe(target, o.idleConns) : null;
        String startedAt = ZonedDateTime.now(ZoneOffset.UTC).toString();
        ChildProcess.Outcome outcome = ChildProcess.run(command, dir.resolve("runs").resolve(name + ".stderr"), line -> {
            ProgressLine p = ProgressLine.parse(line);
            if (p != null) {
                cpu.onProgress(p);
                if (memory != null) {
                    memory.onProgress(p);
                }
            }
        }, Duration.ofMillis((long) ((o.seconds + o.warmup) * 1000)).plus(RUN_SLACK), this::started);
        Map<String, Object> memoryResult = memory == null ? null : memory.result();

        Map<String, Object> record = new LinkedHashMap<>();
        record.put("shape", shape.id);
        record.put("title", shape.title(o));
        record.put("generator", g.id);
        record.put("target", target.target().label);
        record.put("run", run);
        record.put("started_at", startedAt);
        record.put("command", command);
        record.put("exit_status", outcome.status());
        record.put("server_pid", target.pid());
        JsonNode summary = null;
        String problem = null;
        try {
            summary = outcome.stdout().isBlank() ? null : JSON.readTree(outcome.stdout());
        } catch (IOException e) {
            problem = "its output is not JSON: " + e.getMessage();
        }
        Map<String, Double> metrics = Map.of();
        if (summary != null) {
            metrics = g == Generator.GOBENCH
                    ? RunResult.fromGobench(shape, summary, cpu.microsPerMessage(), memoryResult)
                    : RunResult.fromBench(shape, summary, memoryResult);
        }
        if (outcome.timedOut()) {
            problem = "stopped after " + RUN_SLACK.toMinutes() + " minutes beyond its window";
        } else if (summary == null && problem == null) {
            problem = "exit status " + outcome.status() + ", no summary (see runs/" + name + ".stderr)";
        } else if (outcome.status() != 0) {
            problem = "exit status " + outcome.status() + (metrics.getOrDefault("errors", 0.0) > 0
                    ? ", errors " + errorKinds(g, summary) : "") + " (see runs/" + name + ".stderr)";
        }
        if (memoryResult != null && memoryResult.get("skipped") != null && problem == null) {
            problem = "no memory reading: " + memoryResult.get("skipped");
        }
        record.put("metrics", metrics);
        if (g == Generator.GOBENCH) {
            record.put("server_cpu_window", cpu.describe());
        }
        if (memoryResult != null) {
            record.put("memory", memoryResult);
        }
        record.put("problem", problem);
        record.put("generator_summary", summary);
        JSON.writeValue(dir.resolve("runs").resolve(name + ".json").toFile(), record);
        say(name + ": " + metrics + (problem == null ? "" : "  PROBLEM: " + problem));
        return new RunResult(shape, g, target.target(), run, metrics, problem);
    }

    private static String errorKinds(Generator g, JsonNode summary) {
        JsonNode e = g == Generator.GOBENCH ? summary.path("errors") : summary.path("errors").path("by_kind");
        Map<String, Object> nonZero = new LinkedHashMap<>();
        e.fields().forEachRemaining(f -> {
            if (f.getValue().asDouble() != 0) {
                nonZero.put(f.getKey(), f.getValue());
            }
        });
        return nonZero.toString();
    }

    /**
     * Before a run: the previous run's connections are closed on the server's side, seen as its
     * open files back near where they were after the start (30 s at most).
     */
    private void awaitConnectionsClosed(Endpoint target, int filesAtStart) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (ProcFs.openFiles(target.pid()) <= filesAtStart + 50) {
                    return;
                }
            } catch (IOException e) {
                return; // the process is gone: the run will say so
            }
            Thread.sleep(100);
        }
        say("warning: " + target.target().label + " still holds connections of the previous run");
    }

    private String commandList(Shape shape) {
        StringBuilder sb = new StringBuilder("\nCommands (run 1; every run's command is in its JSON):\n");
        commands.forEach((key, c) -> {
            if (key.startsWith(shape.id + " ")) {
                sb.append("- ").append(key.substring(shape.id.length() + 1)).append(": `").append(String.join(" ", c)).append("`\n");
            }
        });
        return sb.toString();
    }

    private String header(ZonedDateTime started, String loadBefore, KarafInstance karaf, Relay relay) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Performance as deployed, ").append(started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append("\n\n");
        sb.append("- command: `").append(o.command).append("`\n");
        sb.append("- finished: ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append("\n");
        sb.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores; load average ")
                .append(loadBefore).append(" before, ").append(loadAverage()).append(" after").append("\n");
        sb.append("- commit: ").append(gitDescribe()).append("\n");
        sb.append("- server: the distribution, `CHAT_RUN_DIR=").append(o.runDir).append(' ')
                .append(String.join(" ", karaf.command.subList(1, karaf.command.size()))).append("` (Karaf pid ")
                .append(karaf.endpoint.pid()).append(", its Redis on port ").append(karaf.endpoint.redisPort())
                .append("), with these keys set in etc/io.github.chatserver.cfg: `")
                .append(String.join(" ", karaf.settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())).append("`\n");
        sb.append("- relay: `").append(String.join(" ", relay.command))
                .append("` (a fresh process for each idle run: a Go process keeps memory it once took)\n");
        sb.append("- each run: ").append(Shape.num(o.warmup)).append(" s warm-up, ").append(Shape.num(o.seconds))
                .append(" s measured; ").append(o.runs).append(o.runs == 1 ? " run" : " runs")
                .append(" per generator and target, interleaved Karaf, relay, Karaf, relay, …; before the first, ")
                .append(Shape.num(o.jitWarmup)).append(" s of pingpong against Karaf to warm its JIT (not measured)\n");
        sb.append("- cells: median (min–max) across runs; ratio rows: median (min–max) of run i of Karaf ÷ run i of the relay\n");
        sb.append("- server CPU µs/msg: utime + stime of the server process (/proc/PID/stat) over the measured window, per delivered "
                + "message: for gobench between its first and last progress line of the window, for bench over its window "
                + "(--server-pid); Redis's CPU is not included\n");
        sb.append("- idle: memory read before the run and while every connection is held; heap = live bytes after a full GC "
                + "(`jcmd PID GC.class_histogram`, Karaf only), RSS = VmRSS of /proc/PID/status\n\n");
        return sb.toString();
    }

    private String gitDescribe() {
        try {
            Process p = new ProcessBuilder("git", "-C", o.root.toString(), "describe", "--always", "--dirty").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double loadAverage1() {
        try {
            return Double.parseDouble(loadAverage().split(" ")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void say(String s) {
        log.println("bench-deployed: " + s);
        log.flush();
    }
}
