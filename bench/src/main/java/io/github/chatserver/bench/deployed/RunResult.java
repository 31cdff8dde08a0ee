package io.github.chatserver.bench.deployed;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run's numbers, named the same for both generators (the keys of {@link Table}'s columns),
 * taken from the generator's JSON summary and from what the harness read of the server itself.
 * {@code problem} says why a run has no numbers (exit status, no JSON).
 */
record RunResult(Shape shape, Generator generator, Endpoint.Target target, int run, Map<String, Double> metrics,
                 String problem) {

    /** gobench's summary; the server CPU per message comes from {@link CpuWindow}. */
    static Map<String, Double> fromGobench(Shape shape, JsonNode j, double cpuUsPerMsg, Map<String, Object> memory) {
        Map<String, Double> m = new LinkedHashMap<>();
        double errors = 0;
        for (JsonNode e : j.path("errors")) {
            errors += e.asDouble();
        }
        m.put("errors", errors);
        if (shape.kind == Shape.Kind.IDLE) {
            put(m, "held", j.path("logged_in"));
            put(m, "login_p99_ms", j.path("login_ms").path("p99"));
            memory(m, memory);
            return m;
        }
        put(m, "msgs_per_s", j.path("msgs_per_s"));
        put(m, "p50_ms", j.path("latency_ms").path("p50"));
        put(m, "p99_ms", j.path("latency_ms").path("p99"));
        if (!Double.isNaN(cpuUsPerMsg)) {
            m.put("cpu_us_per_msg", cpuUsPerMsg);
        }
        return m;
    }

    /** The project generator's summary; it read the server's CPU over its window itself (--server-pid). */
    static Map<String, Double> fromBench(Shape shape, JsonNode j, Map<String, Object> memory) {
        Map<String, Double> m = new LinkedHashMap<>();
        put(m, "errors", j.path("errors").path("total"));
        JsonNode latency = j.path("latency_us");
        JsonNode tp = j.path("throughput");
        double serverCores = j.path("cpu").path("server_cores").asDouble(Double.NaN);
        switch (shape.kind) {
            case IDLE -> {
                put(m, "held", j.path("results").path("held_at_end"));
                m.put("login_p99_ms", latency.path("p99").asDouble(Double.NaN) / 1000);
                memory(m, memory);
            }
            case OFFLINE -> {
                put(m, "store_per_s", tp.path("store_per_s"));
                put(m, "fetch_per_s", tp.path("fetch_per_s"));
                JsonNode rb = j.path("results").path("redis_benchmark");
                put(m, "eval_per_s", rb.path("eval_store_script_per_s"));
                put(m, "zpopmin_per_s", rb.path("zpopmin_per_s"));
                put(m, "store_vs_eval", rb.path("store_vs_eval"));
                put(m, "fetch_vs_zpopmin", rb.path("fetch_vs_zpopmin"));
                double stored = j.path("messages").path("stored").asDouble(0);
                double seconds = j.path("measured_s").asDouble(Double.NaN);
                if (stored > 0) {
                    // each message is stored once and fetched once: CPU of both phases per message
                    m.put("cpu_us_per_msg", serverCores * seconds * 1e6 / stored);
                }
            }
            case THROUGHPUT -> {
                double delivered = tp.path("delivered_per_s").asDouble(Double.NaN);
                m.put("msgs_per_s", delivered);
                m.put("p50_ms", latency.path("p50").asDouble(Double.NaN) / 1000);
                m.put("p99_ms", latency.path("p99").asDouble(Double.NaN) / 1000);
                if (delivered > 0) {
                    m.put("cpu_us_per_msg", serverCores * 1e6 / delivered);
                }
            }
        }
        m.values().removeIf(v -> v == null || Double.isNaN(v) || Double.isInfinite(v));
        return m;
    }

    private static void memory(Map<String, Double> m, Map<String, Object> memory) {
        for (String key : List.of("heap_bytes_per_conn", "rss_bytes_per_conn")) {
            if (memory != null && memory.get(key) instanceof Number n) {
                m.put(key, n.doubleValue());
            }
        }
    }

    private static void put(Map<String, Double> m, String key, JsonNode v) {
        if (v.isNumber()) {
            m.put(key, v.asDouble());
        }
    }
}
