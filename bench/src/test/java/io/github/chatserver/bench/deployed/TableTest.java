package io.github.chatserver.bench.deployed;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static io.github.chatserver.bench.deployed.Endpoint.Target.KARAF;
import static io.github.chatserver.bench.deployed.Endpoint.Target.RELAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableTest {
    @Test
    void medianAndRange() {
        Table.Stats odd = Table.Stats.of(List.of(3.0, 1.0, 2.0));
        assertEquals(2.0, odd.median());
        assertEquals(1.0, odd.min());
        assertEquals(3.0, odd.max());
        assertEquals(2.5, Table.Stats.of(List.of(4.0, 1.0, 2.0, 3.0)).median());
        assertEquals(0, Table.Stats.of(List.of(Double.NaN)).n());
        assertEquals("2 (1–3)", odd.format(Table.INT, ""));
        assertEquals("7.00×", Table.Stats.of(List.of(7.0)).format(Table.DEC2, "×"));
        assertEquals("—", Table.Stats.of(List.of()).format(Table.INT, ""));
    }

    @Test
    void numberFormats() {
        assertEquals("241,134", Table.INT.apply(241_134.4));
        assertEquals("0.37", Table.MS.apply(0.3712));
        assertEquals("12.7", Table.MS.apply(12.71));
        assertEquals("125", Table.MS.apply(125.4));
    }

    private static RunResult run(Generator g, Endpoint.Target t, int n, double msgs, double p99, double errors) {
        return new RunResult(Shape.PINGPONG, g, t, n, Map.of("msgs_per_s", msgs, "p50_ms", 0.5, "p99_ms", p99,
                "cpu_us_per_msg", 2.0, "errors", errors), null);
    }

    @Test
    void rowsPerTargetAndRatiosOfInterleavedRuns() {
        List<RunResult> results = new ArrayList<>();
        // run i of Karaf is compared with run i of the relay: ratios 0.5, 0.8 and 0.7
        results.add(run(Generator.GOBENCH, KARAF, 1, 100, 10, 0));
        results.add(run(Generator.GOBENCH, RELAY, 1, 200, 1, 0));
        results.add(run(Generator.GOBENCH, KARAF, 2, 240, 20, 1));
        results.add(run(Generator.GOBENCH, RELAY, 2, 300, 2, 0));
        results.add(run(Generator.GOBENCH, KARAF, 3, 280, 30, 2));
        results.add(run(Generator.GOBENCH, RELAY, 3, 400, 5, 0));
        String md = Table.markdown(Shape.PINGPONG, "pingpong", results);
        List<String> lines = md.lines().toList();
        assertEquals("### pingpong", lines.get(0));
        assertEquals("| generator | target | runs | msgs/s | p50 ms | p99 ms | server CPU µs/msg | errors |", lines.get(2));
        assertEquals("| gobench | Karaf | 3 | 240 (100–280) | 0.50 | 20.0 (10.0–30.0) | 2.00 | 3 |", lines.get(4));
        assertEquals("| gobench | relay | 3 | 300 (200–400) | 0.50 | 2.00 (1.00–5.00) | 2.00 | 0 |", lines.get(5));
        // p99 ratios: 10, 10, 6 -> median 10; CPU: 1 each
        assertEquals("| gobench | **Karaf ÷ relay** | 3 pairs | **0.70× (0.50–0.80)** | **1.00×** | **10.00× (6.00–10.00)** | **1.00×** |  |",
                lines.get(6));
        assertFalse(md.contains("| bench |"), "no rows for a generator without runs");
    }

    @Test
    void runsWithoutNumbersAreCountedAndExplained() {
        List<RunResult> results = List.of(
                run(Generator.BENCH, KARAF, 1, 100, 10, 0),
                new RunResult(Shape.PINGPONG, Generator.BENCH, KARAF, 2, Map.of(), "exit status 1, no summary"),
                run(Generator.BENCH, RELAY, 1, 200, 1, 0));
        String md = Table.markdown(Shape.PINGPONG, "pingpong", results);
        assertTrue(md.contains("| bench | Karaf | 1 of 2 | 100 |"), md);
        assertTrue(md.contains("| bench | **Karaf ÷ relay** | 1 pair | **0.50×** |"), md);
        assertTrue(md.contains("- bench / Karaf run 2: exit status 1, no summary"), md);
    }

    @Test
    void shapesTheRelayCannotServeSaySo() {
        RunResult offline = new RunResult(Shape.OFFLINE, Generator.BENCH, KARAF, 1, Map.of("store_per_s", 80_000.0,
                "fetch_per_s", 100_000.0, "zpopmin_per_s", 1_000_000.0, "fetch_vs_zpopmin", 0.1, "errors", 0.0), null);
        String md = Table.markdown(Shape.OFFLINE, "offline", List.of(offline));
        assertTrue(md.contains("| bench | Karaf | 1 | 80,000 | 100,000 | — | 1,000,000 | — | 0.10 | — | 0 |"), md);
        assertTrue(md.contains("The relay has no storage"), md);
        assertFalse(md.contains("Karaf ÷ relay"), md);
        assertTrue(Table.markdown(Shape.FANOUT, "fanout", List.of()).contains("The relay has no groups"));
    }
}
