package io.github.chatserver.bench.deployed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of another JVM (Karaf's): {@code jcmd PID GC.class_histogram} runs a full GC and
 * lists every live object; its "Total" line is the bytes the heap holds after that GC, whatever
 * the collector. The jcmd next to the target JVM's own java is used, so the versions match.
 */
final class HeapProbe {
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

    private HeapProbe() {
    }

    static long liveHeapBytes(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd(pid), String.valueOf(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        long total = -1;
        StringBuilder head = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                Long t = totalOf(line);
                if (t != null) {
                    total = t;
                } else if (head.length() < 500) {
                    head.append(line).append('\n');
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " GC.class_histogram did not finish within 120 s");
        }
        if (total < 0) {
            throw new IOException("jcmd " + pid + " GC.class_histogram printed no Total line: " + head);
        }
        return total;
    }

    /** The bytes of a histogram's "Total  instances  bytes" line, or null for any other line. */
    static Long totalOf(String line) {
        Matcher m = TOTAL.matcher(line);
        return m.find() ? Long.parseLong(m.group(2)) : null;
    }

    private static String jcmd(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(Path::of)
                .map(java -> java.resolveSibling("jcmd")).filter(Files::isExecutable).map(Path::toString)
                .orElse("jcmd");
    }
}
