package io.github.chatserver.bench;

import io.github.chatserver.server.ChatServer;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A quick run of every generator mode, short enough for the normal build: pingpong against its
 * own in-process server and the baseline relay, the other modes against one shared server
 * (--server external). The full benchmark runs are not part of the build.
 */
class BenchSmokeTest {
    @TempDir
    static Path out;
    static RedisServer redis;
    static ChatServer server;

    @BeforeAll
    static void startServer() throws Exception {
        redis = RedisServer.start();
        server = new ChatServer(Target.benchSettings(redis.address(), 0), new ServerStats());
        server.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    record Result(int status, String json, String progress) {
        long number(String path) {
            Matcher m = Pattern.compile("\"" + Pattern.quote(path) + "\": (\\d+)").matcher(json);
            assertTrue(m.find(), path + " not in " + json);
            return Long.parseLong(m.group(1));
        }
    }

    static Result bench(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = BenchMain.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    private String[] external(String mode, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of(mode, "--server", "external", "--port",
                String.valueOf(server.localAddress().getPort()), "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void pingpongAgainstInProcessServerAndBaseline() throws Exception {
        Result r = bench("pingpong", "--connections", "20", "--inflight", "4", "--duration", "1.5", "--warmup", "0.5",
                "--baseline", "--out", out.toString());
        assertEquals(BenchMain.OK, r.status(), r.progress() + r.json());
        for (String field : List.of("\"mode\": \"pingpong\"", "\"throughput\"", "\"delivered_per_s\"", "\"latency_us\"",
                "\"p50\"", "\"p90\"", "\"p99\"", "\"p99.9\"", "\"max\"", "\"errors\"", "\"by_kind\"", "\"generator_cores\"",
                "\"generator_cpu_ms\"", "\"timeline\"", "\"baseline\"", "\"ratio_vs_baseline\"", "\"server\": \"inproc\"")) {
            assertTrue(r.json().contains(field), field + " missing from " + r.json());
        }
        assertTrue(r.number("delivered") > 100, "messages were delivered: " + r.json());
        assertEquals(0, r.number("total"), "no errors: " + r.json());
        assertTrue(r.progress().contains("measure]"), "a progress line each second: " + r.progress());
        try (var files = Files.list(out)) {
            List<Path> pages = files.filter(p -> p.getFileName().toString().startsWith("pingpong-")).toList();
            assertTrue(pages.stream().anyMatch(p -> p.toString().endsWith(".json")), pages.toString());
            Path html = pages.stream().filter(p -> p.toString().endsWith(".html")).findFirst().orElseThrow();
            String page = Files.readString(html);
            assertTrue(page.contains("<svg") && !page.contains("<script"), "self-contained page with inline SVG");
        }
    }

    @Test
    void openLoop() {
        Result r = bench(external("open", "--connections", "10", "--rate", "2000", "--duration", "1", "--warmup", "0.5"));
        assertEquals(BenchMain.OK, r.status(), r.progress() + r.json());
        assertTrue(r.number("delivered") > 500, r.json());
    }

    @Test
    void fanout() {
        Result r = bench(external("fanout", "--members", "10", "--rate", "100", "--duration", "1", "--warmup", "0.5"));
        assertEquals(BenchMain.OK, r.status(), r.progress() + r.json());
        assertTrue(r.number("delivered") >= 500, r.json());
    }

    @Test
    void fanoutClosedLoop() {
        Result r = bench(external("fanout", "--members", "10", "--rate", "0", "--inflight", "3", "--duration", "1",
                "--warmup", "0.5"));
        assertEquals(BenchMain.OK, r.status(), r.progress() + r.json());
        assertEquals(3, r.number("closed_loop_inflight"), r.json());
        // each text reaches all 10 members; the loop keeps going only if completions release new texts
        assertTrue(r.number("group_messages_sent") > 3, r.json());
        assertTrue(r.number("delivered") >= 100, r.json());
    }

    @Test
    void idle() {
        Result r = bench(external("idle", "--connections", "40", "--sources", "4", "--duration", "1", "--ping-interval", "0.5"));
        assertEquals(BenchMain.OK, r.status(), r.progress() + r.json());
        assertEquals(40, r.number("held_at_end"), r.json());
        assertTrue(r.number("heartbeats") > 0, r.json());
    }

    @Test
    void offline() {
        Result r = bench(external("offline", "--users", "3", "--messages", "200"));
        assertEquals(BenchMain.OK, r.status(), r.progress() + r.json());
        assertEquals(600, r.number("fetched"), r.json());
    }

    @Test
    void offlineAgainstExternalServerWithItsRedis() {
        Result r = bench(external("offline", "--users", "2", "--messages", "300", "--redis", redis.address()));
        assertEquals(BenchMain.OK, r.status(), r.progress() + r.json());
        assertEquals(600, r.number("fetched"), r.json());
        // the store phase waited until the server's Redis held every message
        assertEquals(600, r.number("stored_in_redis_at_store_end"), r.json());
        assertTrue(r.json().contains("\"redis_benchmark\""), "redis-benchmark ran on the server's Redis: " + r.json());
    }

    @Test
    void usageErrors() {
        assertEquals(BenchMain.USAGE, bench("nosuchmode").status());
        assertEquals(BenchMain.USAGE, bench("pingpong", "--connections", "3").status());
        assertEquals(BenchMain.USAGE, bench("offline", "--server", "baseline").status());
        assertEquals(BenchMain.USAGE, bench("open", "--rate", "0").status());
        assertEquals(BenchMain.OK, bench("--help").status());
    }
}
