package io.github.chatserver.bench;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.OffsetDateTime;
import java.util.Map;

/** Runs a scenario: warm-up, measured window, stop, drain, summary. */
final class Run {
    private Run() {
    }

    static Map<String, Object> execute(BenchOptions o, Target target, Scenario scenario, PrintStream progress)
            throws Exception {
        Metrics metrics = new Metrics();
        String startedAt = OffsetDateTime.now().toString();
        try (LoadConnector lc = new LoadConnector(o.ioThreads, new Frames(target.cipher()), metrics)) {
            scenario.setup(lc, target, metrics, o);
            Thread reporter = o.quiet ? null : Metrics.reporter(metrics, progress, scenario::progress);
            try {
                scenario.start();
                sleep(o.warmup);
                metrics.startMeasuring();
                target.markStart();
                sleep(o.duration);
                metrics.stopMeasuring();
                scenario.stop();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (scenario.inFlight() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } finally {
                if (reporter != null) {
                    reporter.interrupt();
                    reporter.join(2000);
                }
            }
            lc.closing();
            metrics.errors("undelivered", scenario.inFlight());
            return summary(o, target, metrics, scenario, startedAt);
        }
    }

    static Map<String, Object> summary(BenchOptions o, Target target, Metrics metrics, Scenario scenario, String startedAt) {
        Map<String, Object> s = Json.object();
        s.put("mode", o.mode);
        s.put("started_at", startedAt);
        s.put("target", targetInfo(target));
        Map<String, Object> config = Json.object();
        config.put("duration_s", o.duration);
        config.put("warmup_s", o.warmup);
        config.put("text_bytes", o.textSize);
        config.put("generator_io_threads", o.ioThreads);
        config.put("verify", o.verify);
        scenario.describe(config);
        s.put("config", config);
        double secs = metrics.measuredSeconds();
        s.put("measured_s", Metrics.round(secs, 3));
        Map<String, Object> messages = Json.object();
        messages.put("sent", metrics.sentInWindow());
        messages.put("delivered", metrics.deliveredInWindow());
        s.put("messages", messages);
        Map<String, Object> tp = Json.object();
        tp.put("sent_per_s", Math.round(metrics.sentInWindow() / secs));
        tp.put("delivered_per_s", Math.round(metrics.deliveredInWindow() / secs));
        s.put("throughput", tp);
        s.put("latency_us", metrics.latencySummary());
        Map<String, Object> errors = Json.object();
        errors.put("total", metrics.errorCount());
        errors.put("by_kind", metrics.errorsByKind());
        s.put("errors", errors);
        s.put("cpu", metrics.cpuSummary(target));
        Map<String, Object> results = Json.object();
        scenario.results(results);
        if (!results.isEmpty()) {
            s.put("results", results);
        }
        s.put("timeline", metrics.timeline);
        return s;
    }

    static Map<String, Object> targetInfo(Target target) {
        Map<String, Object> t = Json.object();
        t.put("server", target.name());
        t.put("address", target.host() + ":" + target.port());
        t.put("cipher", target.cipherMode());
        return t;
    }

    static InetSocketAddress remote(Target target) {
        return new InetSocketAddress(target.host(), target.port());
    }

    static void sleep(double seconds) throws InterruptedException {
        long nanos = (long) (seconds * 1e9);
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }

    /** A prefix for user names that no earlier run used (offline queues and groups outlive runs). */
    static String runId() {
        return Long.toString(System.currentTimeMillis() % 100_000_000L, 36) + Integer.toString((int) (Math.random() * 1296), 36);
    }
}
