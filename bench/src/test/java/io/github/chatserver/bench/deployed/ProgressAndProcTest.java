package io.github.chatserver.bench.deployed;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the generators' progress lines, /proc, and the CPU per message between two progress lines. */
class ProgressAndProcTest {
    @Test
    void gobenchLines() {
        ProgressLine p = ProgressLine.parse(
                "[   4.0s] run      sent/s=14107     deliv/s=14107     delivered=42438      errors=0 logged_in=200 cpu=41%");
        assertEquals(new ProgressLine("run", 42438, 200), p);
        assertTrue(p.inWindow());
        ProgressLine login = ProgressLine.parse(
                "[   1.1s] login    sent/s=22        deliv/s=0         delivered=0          errors=0 logged_in=925 cpu=19%");
        assertEquals(new ProgressLine("login", 0, 925), login);
        assertTrue(!login.inWindow());
    }

    @Test
    void benchLines() {
        assertEquals(new ProgressLine("measure", -1, 1000), ProgressLine.parse("[   2.8s measure] sent        16/s  delivered       475/s"
                + "  p50 446.21ms  p99 604.67ms  max 607.23ms  errors 0  gen cpu 0.13  logged in and open 1000/1000"));
        assertEquals(new ProgressLine("warmup", -1, -1), ProgressLine.parse("[   0.9s warmup ] sent     6,803/s  delivered     6,802/s"
                + "  p50  10.15ms  p99  86.85ms  max 103.62ms  errors 0  gen cpu 0.23"));
        assertNull(ProgressLine.parse("summary: bench-results/pingpong-1.json  page: bench-results/pingpong-1.html"));
        assertNull(ProgressLine.parse("target external at 127.0.0.1:18989 (cipher legacy-aes)"));
    }

    @Test
    void cpuPerMessageBetweenTheFirstAndLastLineOfTheWindow() {
        AtomicLong ticks = new AtomicLong(1000);
        CpuWindow w = new CpuWindow(ticks::get, 100);
        w.onProgress(new ProgressLine("warmup", 500, 10)); // not in the window: ignored
        ticks.set(1100);
        w.onProgress(new ProgressLine("run", 1_000, 10));
        assertTrue(Double.isNaN(w.microsPerMessage()), "one sample is no interval");
        ticks.set(1150);
        w.onProgress(new ProgressLine("run", 21_000, 10));
        ticks.set(1300);
        w.onProgress(new ProgressLine("run", 101_000, 10));
        // 200 ticks of 10 ms = 2 s of CPU over 100,000 messages
        assertEquals(20.0, w.microsPerMessage(), 1e-9);
        assertEquals(200L, w.describe().get("cpu_ticks"));
        assertEquals(100_000L, w.describe().get("delivered"));
    }

    @Test
    void procStatFieldsAfterTheCommandName() {
        // the command name may hold spaces and parentheses; utime (14) and stime (15) are counted after the last ')'
        String stat = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 731 269 0 0 20 0 40 0 100 1000 200";
        assertEquals(1000, ProcFs.cpuTicksOf(stat));
    }

    @Test
    void thisProcessAsSeenThroughProc() throws Exception {
        long pid = ProcessHandle.current().pid();
        long before = ProcFs.cpuTicks(pid);
        long spin = System.nanoTime() + 300_000_000L;
        double x = 0;
        while (System.nanoTime() < spin) {
            x += Math.sqrt(x + 1);
        }
        assertTrue(x > 0);
        assertTrue(ProcFs.cpuTicks(pid) > before, "300 ms of spinning shows as CPU ticks");
        assertTrue(ProcFs.rssBytes(pid) > 1_000_000, "a JVM holds more than a megabyte");
        assertTrue(ProcFs.openFiles(pid) > 2);
        assertTrue(ProcFs.ticksPerSecond() >= 100);
    }

    @Test
    void classHistogramTotal() {
        assertEquals(76_012_344L, HeapProbe.totalOf("Total        912345       76012344"));
        assertNull(HeapProbe.totalOf("   1:        123456        9876543  [B (java.base@17.0.15)"));
    }
}
