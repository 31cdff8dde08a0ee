package io.github.chatserver.bench.deployed;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The load shapes of the deployed benchmark (issue 16's table): what each generator is asked to
 * do, whether the bare relay can serve it (it relays logins and one-to-one texts only: no groups,
 * no storage), and which numbers its table shows.
 */
enum Shape {
    PINGPONG("pingpong", Kind.THROUGHPUT, true),
    OPEN20K("open20k", Kind.THROUGHPUT, true),
    OPEN50K("open50k", Kind.THROUGHPUT, true),
    PINGPONG1K("pingpong1k", Kind.THROUGHPUT, true),
    FANOUT("fanout", Kind.THROUGHPUT, false),
    IDLE("idle", Kind.IDLE, true),
    OFFLINE("offline", Kind.OFFLINE, false);

    /** Which numbers a shape yields, and so which table it gets. */
    enum Kind { THROUGHPUT, IDLE, OFFLINE }

    /**
     * gobench's text is "seq:nanos|" (about 28 bytes) plus this much filler: about the 64 bytes of
     * the project's generator's --text-size default.
     */
    static final int GOBENCH_FILLER = 36;
    static final int BENCH_TEXT_BYTES = 64;

    final String id;
    final Kind kind;
    final boolean relayServes;

    Shape(String id, Kind kind, boolean relayServes) {
        this.id = id;
        this.kind = kind;
        this.relayServes = relayServes;
    }

    static Shape byId(String id) {
        for (Shape s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown shape '" + id + "' (shapes: " + ids() + ")");
    }

    static String ids() {
        return String.join(",", java.util.Arrays.stream(values()).map(s -> s.id).toList());
    }

    /** gobench has no offline mode. */
    boolean runsWith(Generator g) {
        return g == Generator.BENCH || this != OFFLINE;
    }

    double openRate() {
        return this == OPEN20K ? 20_000 : 50_000;
    }

    String title(DeployedOptions o) {
        return switch (this) {
            case PINGPONG -> String.format(Locale.ROOT, "pingpong: %,d connections × %d in flight per pair", o.pingpongConns, o.pingpongInflight);
            case OPEN20K, OPEN50K -> String.format(Locale.ROOT, "open loop at %,.0f msgs/s (%,d connections)", openRate(), o.openConns);
            case PINGPONG1K -> String.format(Locale.ROOT, "pingpong: %,d connections × 1 in flight per pair", o.pingpong1kConns);
            case FANOUT -> String.format(Locale.ROOT, "fanout to %,d members, closed loop, %d group messages in flight", o.fanoutMembers, o.fanoutInflight);
            case IDLE -> String.format(Locale.ROOT, "idle: %,d logged-in connections held", o.idleConns);
            case OFFLINE -> String.format(Locale.ROOT, "offline: %,d users × %,d messages stored, then fetched", o.offlineUsers, o.offlineMessages);
        };
    }

    /** The generator's command line against {@code target}; {@code benchOut} takes the project generator's own files. */
    List<String> command(Generator g, Endpoint target, DeployedOptions o, String benchOut) {
        return command(g, target, o, benchOut, o.seconds, o.warmup);
    }

    List<String> command(Generator g, Endpoint target, DeployedOptions o, String benchOut, double windowSeconds,
                         double warmupSeconds) {
        List<String> c = new ArrayList<>();
        String seconds = num(windowSeconds);
        String warmup = num(warmupSeconds);
        // idle: connections are held through warm-up and window, time enough to read the server's memory
        String hold = num(windowSeconds + warmupSeconds);
        if (g == Generator.GOBENCH) {
            c.addAll(List.of(o.gobench.toString(), "-host", target.host(), "-port", String.valueOf(target.port()),
                    "-seconds", seconds, "-warmup", warmup));
            switch (this) {
                case PINGPONG -> c.addAll(List.of("-mode", "pingpong", "-conns", str(o.pingpongConns), "-inflight", str(o.pingpongInflight)));
                case OPEN20K, OPEN50K -> c.addAll(List.of("-mode", "open", "-conns", str(o.openConns), "-rate", num(openRate())));
                case PINGPONG1K -> c.addAll(List.of("-mode", "pingpong", "-conns", str(o.pingpong1kConns), "-inflight", "1"));
                case FANOUT -> c.addAll(List.of("-mode", "fanout", "-conns", str(o.fanoutMembers), "-rate", "0", "-inflight", str(o.fanoutInflight)));
                case IDLE -> c.addAll(List.of("-mode", "idle", "-conns", str(o.idleConns), "-ping-s", "30"));
                case OFFLINE -> throw new IllegalArgumentException("gobench has no offline mode");
            }
            if (kind == Kind.THROUGHPUT) {
                c.addAll(List.of("-size", str(GOBENCH_FILLER)));
            }
            return c;
        }
        c.addAll(List.of(o.java, "-jar", o.benchJar.toString()));
        c.add(switch (this) {
            case PINGPONG, PINGPONG1K -> "pingpong";
            case OPEN20K, OPEN50K -> "open";
            default -> id;
        });
        c.addAll(List.of("--server", "external", "--host", target.host(), "--port", String.valueOf(target.port()),
                "--server-pid", String.valueOf(target.pid()), "--out", benchOut));
        switch (this) {
            case PINGPONG -> c.addAll(List.of("--connections", str(o.pingpongConns), "--inflight", str(o.pingpongInflight)));
            case OPEN20K, OPEN50K -> c.addAll(List.of("--connections", str(o.openConns), "--rate", num(openRate())));
            case PINGPONG1K -> c.addAll(List.of("--connections", str(o.pingpong1kConns), "--inflight", "1"));
            case FANOUT -> c.addAll(List.of("--members", str(o.fanoutMembers), "--rate", "0", "--inflight", str(o.fanoutInflight)));
            case IDLE -> c.addAll(List.of("--connections", str(o.idleConns), "--duration", hold, "--ping-interval", "30"));
            case OFFLINE -> c.addAll(List.of("--users", str(o.offlineUsers), "--messages", str(o.offlineMessages),
                    "--redis", "redis://127.0.0.1:" + target.redisPort()));
        }
        if (kind == Kind.THROUGHPUT) {
            c.addAll(List.of("--duration", seconds, "--warmup", warmup, "--text-size", str(BENCH_TEXT_BYTES)));
        }
        return c;
    }

    private static String str(int v) {
        return String.valueOf(v);
    }

    static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
