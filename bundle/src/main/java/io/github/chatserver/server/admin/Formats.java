package io.github.chatserver.server.admin;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** How the console shows times, ages and rates. */
final class Formats {
    private Formats() {
    }

    /** ISO-8601 in UTC, to the second; "-" for 0. */
    static String time(long epochMillis) {
        return epochMillis <= 0 ? "-" : Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** 3d04h05m, 4h05m06s, 5m06s, 6s. */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long days = s / 86_400;
        long hours = s % 86_400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        if (days > 0) {
            return String.format(Locale.ROOT, "%dd%02dh%02dm", days, hours, minutes);
        }
        if (hours > 0) {
            return String.format(Locale.ROOT, "%dh%02dm%02ds", hours, minutes, seconds);
        }
        return minutes > 0 ? String.format(Locale.ROOT, "%dm%02ds", minutes, seconds) : seconds + "s";
    }

    /** The age of something that happened at {@code epochMillis}; "-" for 0. */
    static String ageOf(long epochMillis) {
        return epochMillis <= 0 ? "-" : age(Duration.ofMillis(System.currentTimeMillis() - epochMillis));
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.2f", perSecond);
    }

    static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.2f ms", d.toNanos() / 1e6);
    }
}
