package io.github.chatserver.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the JSON summary and a self-contained HTML page (inline SVG, no scripts). */
final class Report {
    private Report() {
    }

    /** Writes both files; returns the paths written. */
    static List<Path> write(Map<String, Object> summary, Path dir) throws IOException {
        Files.createDirectories(dir);
        String stem = summary.get("mode") + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path json = dir.resolve(stem + ".json");
        Path html = dir.resolve(stem + ".html");
        Files.writeString(json, Json.write(summary), StandardCharsets.UTF_8);
        Files.writeString(html, html(summary), StandardCharsets.UTF_8);
        return List.of(json, html);
    }

    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> s) {
        List<Map<String, Object>> timeline = (List<Map<String, Object>>) s.getOrDefault("timeline", List.of());
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>chatserver bench: ")
                .append(esc(String.valueOf(s.get("mode")))).append("</title><style>")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}")
                .append("table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}")
                .append("th{background:#f4f4f4}pre{background:#f8f8f8;padding:8px;overflow:auto;font-size:12px}")
                .append(".chart{margin:8px 0 24px}</style></head><body>");
        h.append("<h1>chatserver bench: ").append(esc(String.valueOf(s.get("mode")))).append("</h1>");
        Map<String, Object> target = (Map<String, Object>) s.get("target");
        h.append("<p>").append(esc(String.valueOf(s.get("started_at")))).append(" &middot; target ")
                .append(esc(inline(target))).append("</p>");
        h.append("<p><b>").append(esc(headline(s))).append("</b></p>");
        h.append("<h2>Summary</h2><table>");
        row(h, "throughput (delivered/s)", s.get("throughput"));
        row(h, "latency (µs)", s.get("latency_us"));
        row(h, "messages", s.get("messages"));
        row(h, "errors", s.get("errors"));
        row(h, "cpu", s.get("cpu"));
        row(h, "config", s.get("config"));
        if (s.containsKey("results")) {
            row(h, "results", s.get("results"));
        }
        if (s.containsKey("ratio_vs_baseline")) {
            row(h, "ratio vs baseline", s.get("ratio_vs_baseline"));
        }
        h.append("</table>");
        if (!timeline.isEmpty()) {
            double[] window = measuredWindow(timeline);
            List<Double> t = new ArrayList<>();
            List<Double> sent = new ArrayList<>();
            List<Double> delivered = new ArrayList<>();
            List<Double> p50 = new ArrayList<>();
            List<Double> p99 = new ArrayList<>();
            List<Double> max = new ArrayList<>();
            for (Map<String, Object> p : timeline) {
                t.add(num(p.get("t")));
                sent.add(num(p.get("sent_per_s")));
                delivered.add(num(p.get("delivered_per_s")));
                p50.add(ms(p.get("p50_us")));
                p99.add(ms(p.get("p99_us")));
                max.add(ms(p.get("max_us")));
            }
            h.append("<h2>Throughput over time</h2><div class=\"chart\">");
            h.append(chart(t, List.of(new Series("delivered/s", "#1f77b4", delivered), new Series("sent/s", "#aaaaaa", sent)),
                    "messages per second", false, window));
            h.append("</div><h2>Latency over time</h2><div class=\"chart\">");
            h.append(chart(t, List.of(new Series("p50", "#2ca02c", p50), new Series("p99", "#ff7f0e", p99),
                    new Series("max", "#d62728", max)), "milliseconds (log scale)", true, window));
            h.append("<p>Shaded: the measured window (before it warm-up, after it the drain of messages still in flight).</p>");
            h.append("</div>");
        }
        h.append("<h2>Summary JSON</h2><pre>").append(esc(Json.write(s))).append("</pre></body></html>\n");
        return h.toString();
    }

    record Series(String name, String color, List<Double> values) {
    }

    /** A line chart as inline SVG; null values leave gaps. */
    /** First and last time of the samples in the measured window, or null. */
    private static double[] measuredWindow(List<Map<String, Object>> timeline) {
        Double first = null;
        Double last = null;
        double previous = 0;
        for (Map<String, Object> p : timeline) {
            double t = num(p.get("t"));
            if ("measure".equals(p.get("phase"))) {
                if (first == null) {
                    first = previous;
                }
                last = t;
            }
            previous = t;
        }
        return first == null ? null : new double[] {first, last};
    }

    @SuppressWarnings("unchecked")
    static String headline(Map<String, Object> s) {
        Map<String, Object> tp = (Map<String, Object>) s.get("throughput");
        Map<String, Object> lat = (Map<String, Object>) s.get("latency_us");
        Map<String, Object> cpu = (Map<String, Object>) s.get("cpu");
        Map<String, Object> err = (Map<String, Object>) s.get("errors");
        StringBuilder b = new StringBuilder();
        tp.forEach((k, v) -> b.append(k.replace("_per_s", "")).append(' ').append(String.format(Locale.ROOT, "%,d", ((Number) v).longValue())).append("/s · "));
        for (String p : List.of("p50", "p99", "p99.9", "max")) {
            if (lat.get(p) != null) {
                b.append(p).append(' ').append(String.format(Locale.ROOT, "%.2f ms", ((Number) lat.get(p)).doubleValue() / 1000)).append(" · ");
            }
        }
        b.append("errors ").append(err.get("total"));
        if (cpu != null) {
            b.append(" · generator ").append(cpu.get("generator_cores")).append(" cores");
            Object server = cpu.getOrDefault("server_cores_estimate", cpu.get("server_cores"));
            if (server != null) {
                b.append(" · server ").append(server).append(" cores");
            }
        }
        return b.toString();
    }

    static String chart(List<Double> xs, List<Series> series, String yLabel, boolean log, double[] window) {
        int w = 900;
        int hgt = 300;
        int left = 70;
        int right = 20;
        int top = 20;
        int bottom = 40;
        double xMin = 0; // seconds since the generator started
        double xMax = Math.max(xs.get(xs.size() - 1), xMin + 1);
        double yMin = Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : series) {
            for (Double v : s.values) {
                if (v != null && (!log || v > 0)) {
                    yMin = Math.min(yMin, v);
                    yMax = Math.max(yMax, v);
                }
            }
        }
        if (yMax == 0) {
            yMax = 1;
        }
        if (yMin == Double.MAX_VALUE) {
            yMin = 0;
        }
        double lo;
        double hi;
        if (log) {
            lo = Math.pow(10, Math.floor(Math.log10(Math.max(yMin, 1e-3))));
            hi = Math.pow(10, Math.ceil(Math.log10(yMax)));
            if (hi <= lo) {
                hi = lo * 10;
            }
        } else {
            lo = 0;
            hi = niceCeil(yMax * 1.1);
        }
        final double flo = lo;
        final double fhi = hi;
        java.util.function.DoubleUnaryOperator sx = x -> left + (x - xMin) / (xMax - xMin) * (w - left - right);
        java.util.function.DoubleUnaryOperator sy = y -> log
                ? top + (1 - (Math.log10(y) - Math.log10(flo)) / (Math.log10(fhi) - Math.log10(flo))) * (hgt - top - bottom)
                : top + (1 - (y - flo) / (fhi - flo)) * (hgt - top - bottom);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-size=\"11\">", w, hgt, w, hgt));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" stroke=\"#999\"/>",
                left, top, w - left - right, hgt - top - bottom));
        if (window != null) {
            double x0 = sx.applyAsDouble(window[0]);
            double x1 = sx.applyAsDouble(window[1]);
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#eef4fb\"/>",
                    x0, top, Math.max(0, x1 - x0), hgt - top - bottom));
        }
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double v = lo; v <= hi * 1.0001; v *= 10) {
                ticks.add(v);
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                ticks.add(lo + (hi - lo) * i / 5);
            }
        }
        for (double v : ticks) {
            double y = sy.applyAsDouble(v);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, w - right, y, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left - 4, y + 4, label(v)));
        }
        int xt = (int) Math.max(1, Math.ceil((xMax - xMin) / 10));
        for (double x = Math.ceil(xMin); x <= xMax; x += xt) {
            double px = sx.applyAsDouble(x);
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ss</text>", px, hgt - bottom + 14, Json.number(x)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>",
                (hgt) / 2, (hgt) / 2, esc(yLabel)));
        int lx = left + 10;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            boolean pen = false;
            for (int i = 0; i < xs.size(); i++) {
                Double v = s.values.get(i);
                if (v == null || log && v <= 0) {
                    pen = false;
                    continue;
                }
                path.append(pen ? " L" : " M").append(String.format(Locale.ROOT, "%.1f %.1f",
                        sx.applyAsDouble(xs.get(i)), sy.applyAsDouble(Math.max(v, flo))));
                pen = true;
            }
            svg.append("<path fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(s.color).append("\" d=\"")
                    .append(path.toString().trim()).append("\"/>");
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", lx, hgt - 12, s.color, lx + 16, hgt - 8, esc(s.name)));
            lx += 110;
        }
        svg.append("</svg>");
        return svg.toString();
    }

    private static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double v) {
        if (v >= 1_000_000) {
            return Json.number(v / 1_000_000) + "M";
        }
        if (v >= 10_000) {
            return Json.number(v / 1000) + "k";
        }
        return Json.number(v);
    }

    private static void row(StringBuilder h, String name, Object value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value == null ? "-" : inline(value)))
                .append("</td></tr>");
    }

    private static String inline(Object v) {
        return Json.write(v).replaceAll("\\s*\\n\\s*", " ").trim();
    }

    private static Double num(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }

    private static Double ms(Object micros) {
        return micros == null ? null : ((Number) micros).doubleValue() / 1000.0;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
