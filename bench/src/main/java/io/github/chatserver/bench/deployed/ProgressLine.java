package io.github.chatserver.bench.deployed;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One progress line of a generator's stderr, as far as the harness needs it: the phase, the
 * messages delivered so far (gobench prints the running total) and the connections logged in and
 * open.
 *
 * <pre>
 * gobench: [  12.0s] run      sent/s=241000    deliv/s=241000    delivered=2893012    errors=0 logged_in=200 cpu=41%
 * bench:   [   3.0s measure] sent ... delivered .../s ... errors 0  gen cpu 0.4  logged in and open 1000/1000
 * </pre>
 */
record ProgressLine(String phase, long delivered, long held) {
    private static final Pattern GOBENCH = Pattern.compile(
            "^\\[\\s*[0-9.]+s\\]\\s+(\\S+)\\s+sent/s=\\S+\\s+deliv/s=\\S+\\s+delivered=(\\d+)\\s+errors=\\d+\\s+logged_in=(\\d+)");
    private static final Pattern BENCH = Pattern.compile("^\\[\\s*[0-9.]+s\\s+(\\S+)\\s*\\]");
    private static final Pattern BENCH_HELD = Pattern.compile("logged in and open (\\d+)/\\d+");

    /** The line's numbers, or null for any other line. Unknown numbers are -1. */
    static ProgressLine parse(String line) {
        Matcher m = GOBENCH.matcher(line);
        if (m.find()) {
            return new ProgressLine(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
        }
        m = BENCH.matcher(line);
        if (m.find()) {
            Matcher h = BENCH_HELD.matcher(line);
            return new ProgressLine(m.group(1), -1, h.find() ? Long.parseLong(h.group(1)) : -1);
        }
        return null;
    }

    /** gobench's measured window. */
    boolean inWindow() {
        return phase.equals("run");
    }
}
