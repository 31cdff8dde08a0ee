package io.github.chatserver.bench.deployed;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The instance's .cfg, the generators' command lines and the numbers taken from their summaries. */
class HarnessPartsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void cfgKeysAreReplacedWhereTheyStandOrAppended() {
        List<String> lines = List.of("# Most connections", "maxConnections=20000", "  packetsPerSecond = 200", "#offlineCap=5",
                "port=8989");
        Map<String, String> set = new LinkedHashMap<>();
        set.put("maxConnections", "1000000");
        set.put("packetsPerSecond", "100000000");
        set.put("offlineCap", "10000000");
        List<String> out = KarafInstance.Cfg.set(lines, set);
        assertEquals(List.of("# Most connections", "maxConnections=1000000", "packetsPerSecond=100000000", "#offlineCap=5",
                "port=8989", "offlineCap=10000000"), out);
        Map<String, String> read = KarafInstance.Cfg.read(out);
        assertEquals("10000000", read.get("offlineCap"));
        assertEquals("8989", read.get("port"));
        assertEquals(4, read.size(), "comments are not keys");
    }

    @Test
    void instanceDirectoryAsRunShNamesIt() {
        assertEquals(java.nio.file.Path.of("/r/karaf"), KarafInstance.instanceDir(java.nio.file.Path.of("/r"), 8989));
        assertEquals(java.nio.file.Path.of("/r/karaf-18989"), KarafInstance.instanceDir(java.nio.file.Path.of("/r"), 18989));
    }

    @Test
    void commandLines() {
        DeployedOptions o = DeployedOptions.parse("--run-dir", "/r", "--gobench", "/t/gobench", "--relaylimit", "/t/relay",
                "--bench-jar", "/t/bench.jar", "--seconds", "10", "--warmup", "5");
        Endpoint karaf = new Endpoint(Endpoint.Target.KARAF, "127.0.0.1", 18989, 4242, 6380);
        String gobench = String.join(" ", Shape.OPEN20K.command(Generator.GOBENCH, karaf, o, "/out"));
        assertEquals("/t/gobench -host 127.0.0.1 -port 18989 -seconds 10 -warmup 5 -mode open -conns 200 -rate 20000 -size 36", gobench);
        String bench = String.join(" ", Shape.FANOUT.command(Generator.BENCH, karaf, o, "/out"));
        assertTrue(bench.endsWith("/t/bench.jar fanout --server external --host 127.0.0.1 --port 18989 --server-pid 4242 --out /out"
                + " --members 1000 --rate 0 --inflight 10 --duration 10 --warmup 5 --text-size 64"), bench);
        String offline = String.join(" ", Shape.OFFLINE.command(Generator.BENCH, karaf, o, "/out"));
        assertTrue(offline.endsWith("--users 10 --messages 50000 --redis redis://127.0.0.1:6380"), offline);
        String idle = String.join(" ", Shape.IDLE.command(Generator.BENCH, karaf, o, "/out"));
        assertTrue(idle.endsWith("--connections 10000 --duration 15 --ping-interval 30"), "held through warm-up and window: " + idle);
        assertFalse(Shape.OFFLINE.runsWith(Generator.GOBENCH));
        assertThrows(IllegalArgumentException.class, () -> Shape.OFFLINE.command(Generator.GOBENCH, karaf, o, "/out"));
    }

    @Test
    void numbersFromGobench() throws Exception {
        var j = JSON.readTree("""
                {"mode": "pingpong", "msgs_per_s": 15804.5, "latency_ms": {"p50": 5.325, "p99": 26.542},
                 "login_ms": {"p99": 1245.7}, "errors": {"closed_by_server": 2, "connect": 1}, "logged_in": 200}""");
        Map<String, Double> m = RunResult.fromGobench(Shape.PINGPONG, j, 3.5, null);
        assertEquals(Map.of("errors", 3.0, "msgs_per_s", 15804.5, "p50_ms", 5.325, "p99_ms", 26.542, "cpu_us_per_msg", 3.5), m);
        Map<String, Double> idle = RunResult.fromGobench(Shape.IDLE, j, Double.NaN,
                Map.of("heap_bytes_per_conn", 3383L, "rss_bytes_per_conn", 778L));
        assertEquals(Map.of("errors", 3.0, "held", 200.0, "login_p99_ms", 1245.7, "heap_bytes_per_conn", 3383.0,
                "rss_bytes_per_conn", 778.0), idle);
    }

    @Test
    void numbersFromBench() throws Exception {
        var j = JSON.readTree("""
                {"mode": "pingpong", "throughput": {"delivered_per_s": 200000}, "latency_us": {"p50": 1400, "p99": 3400},
                 "errors": {"total": 0}, "cpu": {"server_cores": 0.8}}""");
        Map<String, Double> m = RunResult.fromBench(Shape.PINGPONG, j, null);
        assertEquals(200000.0, m.get("msgs_per_s"));
        assertEquals(1.4, m.get("p50_ms"), 1e-9);
        assertEquals(3.4, m.get("p99_ms"), 1e-9);
        assertEquals(4.0, m.get("cpu_us_per_msg"), 1e-9, "0.8 cores over 200,000 msgs/s");
        var offline = JSON.readTree("""
                {"mode": "offline", "measured_s": 2.0, "messages": {"stored": 100000, "fetched": 100000},
                 "throughput": {"store_per_s": 80000, "fetch_per_s": 90000}, "errors": {"total": 0}, "cpu": {"server_cores": 1.0},
                 "results": {"redis_benchmark": {"eval_store_script_per_s": 140000, "zpopmin_per_s": 1400000,
                   "store_vs_eval": 0.571, "fetch_vs_zpopmin": 0.064}}}""");
        Map<String, Double> o = RunResult.fromBench(Shape.OFFLINE, offline, null);
        assertEquals(0.064, o.get("fetch_vs_zpopmin"));
        assertEquals(140000.0, o.get("eval_per_s"));
        assertEquals(20.0, o.get("cpu_us_per_msg"), 1e-9, "1 core for 2 s over 100,000 messages stored and fetched");
        // a summary without the server's CPU (no --server-pid) has no CPU number, rather than NaN
        Map<String, Double> noCpu = RunResult.fromBench(Shape.PINGPONG, JSON.readTree("""
                {"throughput": {"delivered_per_s": 100}, "latency_us": {"p50": 1, "p99": 2}, "errors": {"total": 1}, "cpu": {}}"""), null);
        assertFalse(noCpu.containsKey("cpu_us_per_msg"), noCpu.toString());
        assertEquals(1.0, noCpu.get("errors"));
    }
}
