package io.github.chatserver.server.admin;

import java.time.Duration;
import java.util.List;

/**
 * Every counter with its rate over {@code interval}: since the previous report, or since the
 * server started for the first one ({@code sinceStart}).
 */
public record StatsReport(Duration interval, boolean sinceStart, List<Line> lines) {

    /** One counter: its name ({@code LOGINS_OK}, or {@code VIOLATIONS.<kind>}), total, and per second. */
    public record Line(String name, long total, double perSecond) {
    }

    /** The line named {@code name}; tests and the console use it. */
    public Line line(String name) {
        return lines.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No counter " + name));
    }
}
