package io.github.chatserver.bench.deployed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleFunction;

/**
 * The markdown table of one shape: per generator, a row for Karaf and one for the relay with the
 * median and the min–max of each number across runs, and a row of ratios Karaf ÷ relay. The runs
 * are interleaved, so run i of Karaf and run i of the relay were measured side by side: the ratio
 * row is the median (min–max) of those per-run ratios.
 */
final class Table {
    private Table() {
    }

    /** A column: the metric key of {@link RunResult#metrics()}, its header, how it is printed, whether it gets a ratio. */
    record Column(String key, String header, DoubleFunction<String> format, boolean ratio, boolean sum) {
    }

    static final DoubleFunction<String> INT = v -> String.format(Locale.ROOT, "%,d", Math.round(v));
    static final DoubleFunction<String> MS = v -> String.format(Locale.ROOT, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
    static final DoubleFunction<String> DEC2 = v -> String.format(Locale.ROOT, "%.2f", v);

    static List<Column> columns(Shape.Kind kind) {
        return switch (kind) {
            case THROUGHPUT -> List.of(
                    new Column("msgs_per_s", "msgs/s", INT, true, false),
                    new Column("p50_ms", "p50 ms", MS, true, false),
                    new Column("p99_ms", "p99 ms", MS, true, false),
                    new Column("cpu_us_per_msg", "server CPU µs/msg", DEC2, true, false),
                    new Column("errors", "errors", INT, false, true));
            case IDLE -> List.of(
                    new Column("held", "connections held", INT, false, false),
                    new Column("heap_bytes_per_conn", "server heap B/conn", INT, true, false),
                    // no ratio: a JVM's resident set hardly moves (its heap is reserved up front), a Go process's does
                    new Column("rss_bytes_per_conn", "server RSS B/conn", INT, false, false),
                    new Column("login_p99_ms", "login p99 ms", MS, true, false),
                    new Column("errors", "errors", INT, false, true));
            case OFFLINE -> List.of(
                    new Column("store_per_s", "stores/s", INT, false, false),
                    new Column("fetch_per_s", "fetches/s", INT, false, false),
                    new Column("eval_per_s", "redis-benchmark EVAL/s", INT, false, false),
                    new Column("zpopmin_per_s", "redis-benchmark ZPOPMIN/s", INT, false, false),
                    new Column("store_vs_eval", "store ÷ EVAL", DEC2, false, false),
                    new Column("fetch_vs_zpopmin", "fetch ÷ ZPOPMIN", DEC2, false, false),
                    new Column("cpu_us_per_msg", "server CPU µs/msg", DEC2, false, false),
                    new Column("errors", "errors", INT, false, true));
        };
    }

    /** Median and range of some numbers. */
    record Stats(int n, double median, double min, double max) {
        static Stats of(List<Double> values) {
            List<Double> v = new ArrayList<>(values);
            v.removeIf(d -> d == null || Double.isNaN(d));
            if (v.isEmpty()) {
                return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
            }
            Collections.sort(v);
            int n = v.size();
            double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
            return new Stats(n, median, v.get(0), v.get(n - 1));
        }

        String format(DoubleFunction<String> f, String suffix) {
            if (n == 0) {
                return "—";
            }
            if (n == 1 || min == max) {
                return f.apply(median) + suffix;
            }
            return f.apply(median) + suffix + " (" + f.apply(min) + "–" + f.apply(max) + ")";
        }
    }

    static String markdown(Shape shape, String title, List<RunResult> results) {
        List<Column> cols = columns(shape.kind);
        StringBuilder sb = new StringBuilder();
        sb.append("### ").append(title).append("\n\n");
        sb.append("| generator | target | runs |");
        cols.forEach(c -> sb.append(' ').append(c.header()).append(" |"));
        sb.append("\n|---|---|---|");
        cols.forEach(c -> sb.append("---|"));
        sb.append('\n');
        for (Generator g : Generator.values()) {
            List<RunResult> karaf = select(results, g, Endpoint.Target.KARAF);
            List<RunResult> relay = select(results, g, Endpoint.Target.RELAY);
            if (karaf.isEmpty() && relay.isEmpty()) {
                continue;
            }
            for (List<RunResult> rows : List.of(karaf, relay)) {
                if (!rows.isEmpty()) {
                    row(sb, g, rows.get(0).target().label, rows, cols);
                }
            }
            if (!karaf.isEmpty() && !relay.isEmpty()) {
                ratioRow(sb, g, karaf, relay, cols);
            }
        }
        if (!shape.relayServes) {
            sb.append("\nThe relay has no ").append(shape.kind == Shape.Kind.OFFLINE ? "storage" : "groups")
                    .append(": Karaf only").append(shape.kind == Shape.Kind.OFFLINE
                            ? "; the reference is redis-benchmark -P 16 on the server's own Redis, right after each run." : ".")
                    .append('\n');
        }
        List<String> problems = results.stream().filter(r -> r.problem() != null)
                .map(r -> r.generator().id + " / " + r.target().label + " run " + r.run() + ": " + r.problem()).toList();
        if (!problems.isEmpty()) {
            sb.append("\nRuns without numbers or with errors:\n");
            problems.forEach(p -> sb.append("- ").append(p).append('\n'));
        }
        return sb.toString();
    }

    private static List<RunResult> select(List<RunResult> results, Generator g, Endpoint.Target t) {
        return results.stream().filter(r -> r.generator() == g && r.target() == t).toList();
    }

    private static void row(StringBuilder sb, Generator g, String target, List<RunResult> rows, List<Column> cols) {
        long ok = rows.stream().filter(r -> !r.metrics().isEmpty()).count();
        sb.append("| ").append(g.id).append(" | ").append(target).append(" | ")
                .append(ok == rows.size() ? String.valueOf(ok) : ok + " of " + rows.size()).append(" |");
        for (Column c : cols) {
            List<Double> values = rows.stream().map(r -> r.metrics().get(c.key())).filter(Objects::nonNull).toList();
            String cell = c.sum()
                    ? (values.isEmpty() ? "—" : c.format().apply(values.stream().mapToDouble(Double::doubleValue).sum()))
                    : Stats.of(values).format(c.format(), "");
            sb.append(' ').append(cell).append(" |");
        }
        sb.append('\n');
    }

    private static void ratioRow(StringBuilder sb, Generator g, List<RunResult> karaf, List<RunResult> relay, List<Column> cols) {
        Map<Integer, RunResult> relayByRun = new java.util.HashMap<>();
        relay.forEach(r -> relayByRun.put(r.run(), r));
        int pairs = 0;
        for (RunResult k : karaf) {
            if (relayByRun.containsKey(k.run())) {
                pairs++;
            }
        }
        sb.append("| ").append(g.id).append(" | **Karaf ÷ relay** | ").append(pairs).append(pairs == 1 ? " pair" : " pairs").append(" |");
        for (Column c : cols) {
            String cell = "";
            if (c.ratio()) {
                List<Double> ratios = new ArrayList<>();
                for (RunResult k : karaf) {
                    RunResult r = relayByRun.get(k.run());
                    Double a = k.metrics().get(c.key());
                    Double b = r == null ? null : r.metrics().get(c.key());
                    if (a != null && b != null && b != 0) {
                        ratios.add(a / b);
                    }
                }
                cell = "**" + Stats.of(ratios).format(DEC2, "×") + "**";
                if (ratios.isEmpty()) {
                    cell = "—";
                }
            }
            sb.append(' ').append(cell).append(" |");
        }
        sb.append('\n');
    }
}
