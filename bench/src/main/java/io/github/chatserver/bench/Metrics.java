package io.github.chatserver.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a run measures: latencies (HdrHistogram, microseconds, recorded lock-free from the I/O
 * threads), message counts, errors by kind, one sample per second, and the CPU time of the
 * generator's own threads.
 */
final class Metrics {
    static final long HIGHEST_MICROS = 3_600_000_000L;

    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    final LongAdder sent = new LongAdder();
    final LongAdder delivered = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Set<Long> generatorThreads = ConcurrentHashMap.newKeySet();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
    private Histogram interval;
    final List<Map<String, Object>> timeline = new ArrayList<>();

    private long measureStart;
    private long measureEnd;
    private long sentAtStart;
    private long deliveredAtStart;
    private long sentAtEnd;
    private long deliveredAtEnd;
    private long lastSampleAt;
    private long lastSent;
    private long lastDelivered;
    private long lastGeneratorCpu;
    private long lastProcessCpu;
    private Map<Long, Long> cpuAtStart = Map.of();
    private long processCpuAtStart;
    private long generatorCpuNanos;
    private long processCpuNanos;
    private boolean measuring;
    private final long runStart = System.nanoTime();

    Metrics() {
        threads.setThreadCpuTimeEnabled(true);
        generatorThread();
    }

    /** Counts the calling thread as the generator's (its CPU time is the generator's). */
    void generatorThread() {
        generatorThreads.add(Thread.currentThread().getId());
    }

    void latencyNanos(long nanos) {
        long micros = nanos / 1000;
        recorder.recordValue(micros < 0 ? 0 : Math.min(micros, HIGHEST_MICROS));
    }

    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    void errors(String kind, long n) {
        if (n > 0) {
            errors.computeIfAbsent(kind, k -> new LongAdder()).add(n);
        }
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Object> errorsByKind() {
        Map<String, Object> m = new TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** Starts the measured window (after warm-up): totals and CPU count from here. */
    synchronized void startMeasuring() {
        recorder.getIntervalHistogram(); // drop what warm-up recorded
        total.reset();
        measureStart = System.nanoTime();
        sentAtStart = sent.sum();
        deliveredAtStart = delivered.sum();
        cpuAtStart = threadCpu();
        processCpuAtStart = os.getProcessCpuTime();
        measuring = true;
    }

    synchronized void stopMeasuring() {
        if (!measuring) {
            return;
        }
        sample(true);
        measuring = false;
        measureEnd = System.nanoTime();
        sentAtEnd = sent.sum();
        deliveredAtEnd = delivered.sum();
        Map<Long, Long> now = threadCpu();
        generatorCpuNanos = 0;
        now.forEach((id, cpu) -> generatorCpuNanos += cpu - cpuAtStart.getOrDefault(id, 0L));
        processCpuNanos = os.getProcessCpuTime() - processCpuAtStart;
    }

    private Map<Long, Long> threadCpu() {
        Map<Long, Long> m = new java.util.HashMap<>();
        for (long id : generatorThreads) {
            long cpu = threads.getThreadCpuTime(id);
            if (cpu >= 0) {
                m.put(id, cpu);
            }
        }
        return m;
    }

    /**
     * Takes the last second's sample (called once a second by the reporter) and prints a
     * progress line; {@code last} for the end of the window.
     */
    synchronized Map<String, Object> sample(boolean last) {
        long now = System.nanoTime();
        interval = recorder.getIntervalHistogram(interval);
        if (measuring) {
            total.add(interval);
        }
        double secs = lastSampleAt == 0 ? (now - runStart) / 1e9 : (now - lastSampleAt) / 1e9;
        long s = sent.sum();
        long d = delivered.sum();
        long genCpu = threadCpu().values().stream().mapToLong(Long::longValue).sum();
        long procCpu = os.getProcessCpuTime();
        Map<String, Object> sample = Json.object();
        sample.put("t", round((now - runStart) / 1e9, 1));
        sample.put("phase", measuring ? "measure" : measureEnd > 0 ? "drain" : "warmup");
        sample.put("sent_per_s", Math.round((s - lastSent) / secs));
        sample.put("delivered_per_s", Math.round((d - lastDelivered) / secs));
        sample.put("p50_us", interval.getTotalCount() == 0 ? null : interval.getValueAtPercentile(50));
        sample.put("p99_us", interval.getTotalCount() == 0 ? null : interval.getValueAtPercentile(99));
        sample.put("max_us", interval.getTotalCount() == 0 ? null : interval.getMaxValue());
        sample.put("errors", errorCount());
        sample.put("generator_cores", lastSampleAt == 0 ? null : round((genCpu - lastGeneratorCpu) / 1e9 / secs, 2));
        sample.put("process_cores", lastSampleAt == 0 ? null : round((procCpu - lastProcessCpu) / 1e9 / secs, 2));
        lastSampleAt = now;
        lastSent = s;
        lastDelivered = d;
        lastGeneratorCpu = genCpu;
        lastProcessCpu = procCpu;
        if (!last || secs > 0.2) {
            timeline.add(sample);
        }
        return sample;
    }

    static String progressLine(Map<String, Object> s, String extra) {
        return String.format(java.util.Locale.ROOT, "[%6.1fs %-7s] sent %,9d/s  delivered %,9d/s  p50 %s  p99 %s  max %s  errors %d  gen cpu %s%s",
                ((Number) s.get("t")).doubleValue(), s.get("phase"), s.get("sent_per_s"), s.get("delivered_per_s"),
                ms(s.get("p50_us")), ms(s.get("p99_us")), ms(s.get("max_us")), s.get("errors"),
                s.get("generator_cores") == null ? "-" : s.get("generator_cores"), extra == null ? "" : "  " + extra);
    }

    private static String ms(Object micros) {
        return micros == null ? "    -   " : String.format(java.util.Locale.ROOT, "%6.2fms", ((Number) micros).longValue() / 1000.0);
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    double measuredSeconds() {
        return (measureEnd - measureStart) / 1e9;
    }

    long sentInWindow() {
        return sentAtEnd - sentAtStart;
    }

    long deliveredInWindow() {
        return deliveredAtEnd - deliveredAtStart;
    }

    Histogram total() {
        return total;
    }

    Map<String, Object> latencySummary() {
        Map<String, Object> m = Json.object();
        Histogram h = total;
        m.put("count", h.getTotalCount());
        if (h.getTotalCount() > 0) {
            m.put("p50", h.getValueAtPercentile(50));
            m.put("p90", h.getValueAtPercentile(90));
            m.put("p99", h.getValueAtPercentile(99));
            m.put("p99.9", h.getValueAtPercentile(99.9));
            m.put("max", h.getMaxValue());
            m.put("mean", round(h.getMean(), 1));
        }
        return m;
    }

    Map<String, Object> cpuSummary(Target target) {
        double secs = measuredSeconds();
        Map<String, Object> m = Json.object();
        m.put("available_cores", Runtime.getRuntime().availableProcessors());
        m.put("generator_cpu_ms", generatorCpuNanos / 1_000_000);
        m.put("generator_cores", round(generatorCpuNanos / 1e9 / secs, 3));
        m.put("process_cpu_ms", processCpuNanos / 1_000_000);
        m.put("process_cores", round(processCpuNanos / 1e9 / secs, 3));
        if (target.inProcess()) {
            m.put("server_cores_estimate", round((processCpuNanos - generatorCpuNanos) / 1e9 / secs, 3));
        }
        target.cpuSummary(m, secs);
        m.put("system_load_average", round(os.getSystemLoadAverage(), 2));
        return m;
    }

    /** Prints progress to {@code out} once a second until {@code until} says stop. */
    static Thread reporter(Metrics metrics, PrintStream out, java.util.function.Supplier<String> extra) {
        Thread t = new Thread(() -> {
            metrics.generatorThread();
            long next = System.nanoTime() + 1_000_000_000L;
            while (!Thread.currentThread().isInterrupted()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                next += 1_000_000_000L;
                out.println(progressLine(metrics.sample(false), extra == null ? null : extra.get()));
            }
        }, "bench-reporter");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }
}
