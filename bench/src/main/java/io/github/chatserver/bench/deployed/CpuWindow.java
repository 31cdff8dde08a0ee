package io.github.chatserver.bench.deployed;

import java.io.IOException;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A server's CPU per message over gobench's measured window, which only gobench knows: at each of
 * its progress lines inside the window (one a second) the server's utime + stime is read from
 * /proc. Between the first and the last of those lines, the CPU ticks over the messages delivered
 * (gobench's running total) is the server's CPU per message, over all but the window's first
 * second.
 */
final class CpuWindow {
    private final LongSupplier ticks;
    private final long ticksPerSecond;
    private long[] first;
    private long[] last;

    CpuWindow(long pid) {
        this(() -> {
            try {
                return ProcFs.cpuTicks(pid);
            } catch (IOException e) {
                return -1;
            }
        }, ProcFs.ticksPerSecond());
    }

    CpuWindow(LongSupplier ticks, long ticksPerSecond) {
        this.ticks = ticks;
        this.ticksPerSecond = ticksPerSecond;
    }

    void onProgress(ProgressLine p) {
        if (!p.inWindow() || p.delivered() < 0) {
            return;
        }
        long t = ticks.getAsLong();
        if (t < 0) {
            return;
        }
        long[] sample = {t, p.delivered(), System.nanoTime()};
        if (first == null) {
            first = sample;
        } else {
            last = sample;
        }
    }

    /** Server CPU µs per delivered message, or NaN without two samples and a delivery between them. */
    double microsPerMessage() {
        if (first == null || last == null || last[1] <= first[1]) {
            return Double.NaN;
        }
        return (last[0] - first[0]) * 1e6 / ticksPerSecond / (last[1] - first[1]);
    }

    /** What the number rests on, for the run's JSON. */
    Map<String, Object> describe() {
        if (first == null || last == null) {
            return Map.of("samples", first == null ? 0 : 1);
        }
        return Map.of("cpu_ticks", last[0] - first[0], "ticks_per_s", ticksPerSecond, "delivered", last[1] - first[1],
                "seconds", Math.round((last[2] - first[2]) / 1e6) / 1e3);
    }
}
