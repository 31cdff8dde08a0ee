package io.github.chatserver.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The load generator: {@code java -jar chatserver-bench.jar <mode> [options]}. See
 * {@link BenchOptions#USAGE}.
 */
public final class BenchMain {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int RUN_HAD_ERRORS = 3;

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.mina.core.service.IoProcessor") == null) {
            // MINA's epoll-spin guard logs "Create a new selector" each time it rebuilds a selector
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.mina.core.service.IoProcessor", "error");
        }
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. The summary goes to {@code out}, progress to {@code err}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println("try --help");
            return USAGE;
        }
        if (o.help) {
            out.print(BenchOptions.USAGE);
            return OK;
        }
        try {
            if (o.mode.equals("serve")) {
                return serve(o, out);
            }
            Map<String, Object> summary = runMode(o, err);
            out.print(Json.write(summary));
            List<Path> files = Report.write(summary, o.out);
            err.println("summary: " + files.get(0) + "  page: " + files.get(1));
            long errors = ((Number) ((Map<?, ?>) summary.get("errors")).get("total")).longValue();
            return errors == 0 ? OK : RUN_HAD_ERRORS;
        } catch (Exception e) {
            err.println("error: " + e.getMessage());
            e.printStackTrace(err);
            return FAILED;
        }
    }

    /** Runs the mode (against the baseline relay first when --baseline). */
    static Map<String, Object> runMode(BenchOptions o, PrintStream progress) throws Exception {
        Map<String, Object> baseline = null;
        if (o.baseline) {
            progress.println("== baseline relay (cipher " + o.baselineCipher + ") ==");
            baseline = runOnce(o.forBaseline(), progress);
            progress.println("== " + o.server + " ==");
        }
        Map<String, Object> summary = runOnce(o, progress);
        if (baseline != null) {
            baseline.remove("timeline");
            summary.put("baseline", baseline);
            summary.put("ratio_vs_baseline", ratios(summary, baseline));
        }
        return summary;
    }

    private static Map<String, Object> runOnce(BenchOptions o, PrintStream progress) throws Exception {
        try (Target target = Target.start(o)) {
            progress.println("target " + target.name() + " at " + target.host() + ":" + target.port()
                    + " (cipher " + target.cipherMode() + ")");
            return switch (o.mode) {
                case "pingpong" -> Run.execute(o, target, new PingPong(), progress);
                case "open" -> Run.execute(o, target, new OpenLoop(), progress);
                case "fanout" -> Run.execute(o, target, new Fanout(), progress);
                case "idle" -> Idle.run(o, target, progress);
                case "offline" -> Offline.run(o, target, progress);
                default -> throw new IllegalArgumentException("unknown mode " + o.mode);
            };
        }
    }

    /** The target's numbers divided by the baseline's: throughput below 1 and latency above 1 are the layers' cost. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> ratios(Map<String, Object> s, Map<String, Object> b) {
        Map<String, Object> r = Json.object();
        Map<String, Object> st = (Map<String, Object>) s.get("throughput");
        Map<String, Object> bt = (Map<String, Object>) b.get("throughput");
        r.put("throughput", ratio(st.get("delivered_per_s"), bt.get("delivered_per_s")));
        Map<String, Object> sl = (Map<String, Object>) s.get("latency_us");
        Map<String, Object> bl = (Map<String, Object>) b.get("latency_us");
        for (String p : List.of("p50", "p99", "p99.9")) {
            r.put("latency_" + p, ratio(sl.get(p), bl.get(p)));
        }
        Map<String, Object> sc = (Map<String, Object>) s.get("cpu");
        Map<String, Object> bc = (Map<String, Object>) b.get("cpu");
        Object serverCores = sc.getOrDefault("server_cores_estimate", sc.get("server_cores"));
        Object baseCores = bc.get("server_cores_estimate");
        if (serverCores != null && baseCores != null) {
            double perMsgServer = ((Number) serverCores).doubleValue() / Math.max(1, ((Number) st.get("delivered_per_s")).doubleValue());
            double perMsgBase = ((Number) baseCores).doubleValue() / Math.max(1, ((Number) bt.get("delivered_per_s")).doubleValue());
            r.put("server_cpu_per_message", perMsgBase == 0 ? null : Metrics.round(perMsgServer / perMsgBase, 2));
        }
        return r;
    }

    private static Double ratio(Object a, Object b) {
        if (a == null || b == null || ((Number) b).doubleValue() == 0) {
            return null;
        }
        return Metrics.round(((Number) a).doubleValue() / ((Number) b).doubleValue(), 3);
    }

    /** Starts a server and waits for Ctrl-C (or stdin to close): for runs with --server external. */
    /**
     * The idle target's number: this JVM holds only the server, so its heap after a full GC, less
     * what it was with no connection, divided by the connections open, is the server's heap per
     * connection.
     */
    private static void reportHeap(Target.InProcess server, int seconds, PrintStream out) {
        long empty = heapAfterGc();
        out.printf("heap after GC with no connection: %,d bytes%n", empty);
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(seconds * 1000L);
                } catch (InterruptedException e) {
                    return;
                }
                long used = heapAfterGc();
                int open = server.openConnections();
                out.printf("heap after GC: %,d bytes, %,d connections open, %s bytes per connection%n", used, open,
                        open == 0 ? "-" : String.format("%,d", (used - empty) / open));
                out.flush();
            }
        }, "bench-heap-report");
        t.setDaemon(true);
        t.start();
    }

    private static long heapAfterGc() {
        System.gc();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static int serve(BenchOptions o, PrintStream out) throws Exception {
        BaselineRelay relay = null;
        Target.InProcess server = null;
        if (o.server.equals("baseline")) {
            relay = BaselineRelay.start("127.0.0.1", o.port, o.baselineCipher(), o.serverThreads);
            out.println("baseline relay on 127.0.0.1:" + relay.port() + " (cipher " + o.baselineCipher + "), pid "
                    + ProcessHandle.current().pid() + "; Ctrl-C stops it");
        } else {
            server = Target.InProcess.startOn(o, o.port);
            out.println("chat server on 127.0.0.1:" + server.port() + " (cipher " + server.cipherMode()
                    + ", overload limits opened up for load tests), pid " + ProcessHandle.current().pid()
                    + "; Ctrl-C stops it");
        }
        out.flush();
        BaselineRelay r = relay;
        Target.InProcess s = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (r != null) {
                r.close();
            }
            if (s != null) {
                s.close();
            }
        }));
        if (s != null && o.heapReport > 0) {
            reportHeap(s, o.heapReport, out);
        }
        Thread.currentThread().join(); // until Ctrl-C; the hook stops the server
        return OK;
    }
}
