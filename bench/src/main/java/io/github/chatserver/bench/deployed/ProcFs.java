package io.github.chatserver.bench.deployed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What the kernel says about another process: CPU time, resident memory, open files (Linux /proc). */
final class ProcFs {
    private static volatile long ticksPerSecond;

    private ProcFs() {
    }

    /** utime + stime of every thread of the process, in clock ticks ({@link #ticksPerSecond()}). */
    static long cpuTicks(long pid) throws IOException {
        return cpuTicksOf(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
    }

    /**
     * Fields 14 and 15 of a /proc/PID/stat line. Counted after the ")" that closes the command
     * name, which may itself hold spaces and parentheses.
     */
    static long cpuTicksOf(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): utime is field 14, stime field 15
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Resident set size in bytes (VmRSS of /proc/PID/status). */
    static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    /** Open file descriptors (sockets included) of the process. */
    static int openFiles(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) s.count();
        }
    }

    /** The kernel's clock ticks per second (getconf CLK_TCK; 100 on Linux when getconf is missing). */
    static long ticksPerSecond() {
        if (ticksPerSecond == 0) {
            long t = 100;
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor(10, TimeUnit.SECONDS) && out.matches("\\d+")) {
                    t = Long.parseLong(out);
                }
            } catch (IOException e) {
                // keep 100
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ticksPerSecond = t;
        }
        return ticksPerSecond;
    }
}
