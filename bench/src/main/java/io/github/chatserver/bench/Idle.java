package io.github.chatserver.bench;

import io.github.chatserver.protocol.PbClientPing;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * N logged-in connections held open with heartbeats. Connections come from source addresses
 * 127.0.0.1, 127.0.0.2, ... so that no single source address runs out of ephemeral ports (and a
 * server's per-address limits see many addresses). Measures login latency (connect to answer)
 * while ramping up, then holds every connection for the duration, pinging each one every
 * ping interval, and counts the connections still open at the end. In the progress line
 * "sent" is heartbeats and "delivered" is logins answered.
 */
final class Idle {
    private Idle() {
    }

    static Map<String, Object> run(BenchOptions o, Target target, PrintStream progress) throws Exception {
        int n = o.connections(1000);
        int sources = o.sources != null ? o.sources : Math.min(250, Math.max(1, (n + 199) / 200));
        List<InetSocketAddress> locals = new ArrayList<>();
        for (int i = 0; i < sources; i++) {
            locals.add(new InetSocketAddress("127.0.0." + (1 + i), 0));
        }
        Metrics metrics = new Metrics();
        String startedAt = OffsetDateTime.now().toString();
        String run = Run.runId();
        List<IdleConn> conns = new ArrayList<>(n);
        long pings;
        long rampNanos;
        int loggedIn;
        int held;
        long heapHeld;
        try (LoadConnector lc = new LoadConnector(o.ioThreads, new Frames(target.cipher()), metrics)) {
            byte[] ping = lc.frames.encode(PbClientPing.newBuilder().setPing(true).setTimestamp(System.currentTimeMillis() / 1000).build());
            for (int i = 0; i < n; i++) {
                conns.add(new IdleConn("id" + run + "-" + i, metrics));
            }
            Thread reporter = o.quiet ? null : Metrics.reporter(metrics, progress, () -> {
                long open = conns.stream().filter(c -> c.loggedIn && !c.closed).count();
                return "logged in and open " + open + "/" + n;
            });
            metrics.startMeasuring();
            target.markStart();
            long rampStart = System.nanoTime();
            loggedIn = lc.connectAll(conns, Run.remote(target), locals, o.connectRate,
                    (long) (n * 1000.0 / o.connectRate) + 60_000, null);
            rampNanos = System.nanoTime() - rampStart;
            // hold: every connection pings once per interval, spread evenly
            List<IdleConn> live = conns.stream().filter(c -> c.loggedIn).toList();
            Pacer pacer = new Pacer(Math.max(0.1, live.size() / o.pingInterval), new Pacer.Sink() {
                @Override
                public boolean offer(long j, long intended) {
                    if (!live.isEmpty()) {
                        IdleConn c = live.get((int) (j % live.size()));
                        if (!c.closed) {
                            c.write(ping);
                            metrics.sent.increment();
                        }
                    }
                    return true;
                }

                @Override
                public void flush() {
                }
            }, metrics);
            pacer.start("bench-heartbeat");
            Run.sleep(o.duration);
            pacer.stop();
            held = (int) conns.stream().filter(c -> c.loggedIn && !c.closed).count();
            // While every connection is still held (this JVM's heap: the generator's, and the server's when inproc).
            System.gc();
            Runtime rt = Runtime.getRuntime();
            heapHeld = rt.totalMemory() - rt.freeMemory();
            metrics.stopMeasuring();
            pings = metrics.sent.sum();
            if (reporter != null) {
                reporter.interrupt();
                reporter.join(2000);
            }
            lc.closing();
        }
        Map<String, Object> s = Json.object();
        s.put("mode", o.mode);
        s.put("started_at", startedAt);
        s.put("target", Run.targetInfo(target));
        Map<String, Object> config = Json.object();
        config.put("connections", n);
        config.put("source_addresses", sources);
        config.put("connect_rate_per_s", o.connectRate);
        config.put("ping_interval_s", o.pingInterval);
        config.put("hold_s", o.duration);
        config.put("generator_io_threads", o.ioThreads);
        s.put("config", config);
        s.put("measured_s", Metrics.round(metrics.measuredSeconds(), 3));
        Map<String, Object> messages = Json.object();
        messages.put("logins", loggedIn);
        messages.put("heartbeats", pings);
        s.put("messages", messages);
        Map<String, Object> tp = Json.object();
        tp.put("logins_per_s", Math.round(loggedIn / (rampNanos / 1e9)));
        tp.put("heartbeats_per_s", Math.round(pings / o.duration));
        s.put("throughput", tp);
        Map<String, Object> latency = metrics.latencySummary();
        latency.put("what", "login: connect to login answer");
        s.put("latency_us", latency);
        Map<String, Object> errors = Json.object();
        errors.put("total", metrics.errorCount() + (n - held));
        Map<String, Object> kinds = metrics.errorsByKind();
        if (n - held > 0) {
            kinds.put("not_held_at_end", n - held);
        }
        errors.put("by_kind", kinds);
        s.put("errors", errors);
        s.put("cpu", metrics.cpuSummary(target));
        Map<String, Object> results = Json.object();
        results.put("ramp_s", Metrics.round(rampNanos / 1e9, 3));
        results.put("logged_in", loggedIn);
        results.put("held_at_end", held);
        results.put("jvm_heap_used_mb_after_gc_while_held", heapHeld / (1024 * 1024));
        s.put("results", results);
        s.put("timeline", metrics.timeline);
        return s;
    }

    static final class IdleConn extends Conn {
        private final Metrics metrics;

        IdleConn(String user, Metrics metrics) {
            super(user);
            this.metrics = metrics;
        }

        @Override
        void onLogin(boolean ok, long now) {
            if (ok) {
                metrics.latencyNanos(now - connectStart);
                metrics.delivered.increment();
            }
        }
    }
}
