package io.github.chatserver.bench;

import io.github.chatserver.codec.BodyCipher;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/** The load generator's command line. */
final class BenchOptions {
    static final String USAGE = """
            usage: java -jar bench/target/chatserver-bench.jar <mode> [options]

            modes
              pingpong   N connections in pairs, K messages in flight per pair (closed loop)
              open       pairs at a fixed offered rate; latency from the intended send time
              fanout     one sender, a group of M members, group texts at a fixed rate
              idle       N logged-in connections held with heartbeats, from 127.0.0.x sources
              offline    store M messages for each of U offline users, then fetch them
              serve      only start a server (inproc or baseline) and wait: for --server external runs
              jmh        the JMH microbenchmarks (decoder, cipher, protobuf); JMH options follow

            target
              --server inproc|baseline|external
                                   inproc (default): ChatServer + a private redis-server in this JVM;
                                   baseline: the bare MINA relay (no Redis, no cipher); external: --host/--port
              --host H --port P    the external server (default 127.0.0.1:8989)
              --cipher MODE        external: legacy-aes (default) or none; baseline: see --baseline-cipher
              --cipher-key KEY     legacy-aes key (default 12345abcdef67890)
              --server-pid PID     external: measure that process's CPU too
              --redis URI          inproc: use this Redis instead of starting redis-server;
                                   external: the server's Redis (offline: the store phase lasts until
                                   Redis holds every message, and redis-benchmark runs on it afterwards)
              --server-threads N   baseline relay I/O threads (default 2)
              --heap-report S      serve: every S seconds, a full GC and the server JVM's heap per open connection
              --baseline           run the same load against the baseline relay first and report ratios
              --baseline-cipher M  cipher of the baseline relay (default none)

            load
              --duration S         measured seconds (default 10)
              --warmup S           seconds before measuring (default 2)
              --connections N      pingpong/open: connections, in pairs (default 200); idle: (default 1000)
              --inflight K         pingpong: messages in flight per pair (default 10);
                                   fanout with --rate 0: group messages in flight
              --rate R             open: messages/s offered in total (default 20000);
                                   fanout: group messages/s (default 200), 0 for a closed loop
              --members M          fanout: group members besides the sender (default 100)
              --text-size B        text bytes per message (default 64)
              --io-threads T       generator I/O threads (default 1)
              --verify             decrypt and check every chat text received (costs generator CPU)
              --sources S          idle: source addresses 127.0.0.2.. (default: one per 200 connections)
              --connect-rate C     idle: new connections per second (default 2000)
              --ping-interval S    idle: seconds between a connection's heartbeats (default 30)
              --users U            offline: recipients, each with its own sender (default 10)
              --messages M         offline: messages stored per recipient (default 1000)

            output
              --out DIR            where the JSON summary and the HTML page go (default bench-results)
              --quiet              no progress lines

            Progress goes to stderr once a second; the JSON summary to stdout and DIR/<mode>-<time>.json,
            the page with throughput and latency over time to DIR/<mode>-<time>.html.
            Exit status: 0 ok, 2 usage error, 3 the run saw errors (see errors.by_kind), 1 failure.
            """;

    String mode;
    String server = "inproc";
    String host = "127.0.0.1";
    int port = 8989;
    String cipher;
    String cipherKey = BodyCipher.ORIGINAL_CLIENT_KEY;
    long serverPid;
    String redis;
    int serverThreads = 2;
    int heapReport = 0;
    boolean baseline;
    String baselineCipher = BodyCipher.NONE;
    double duration = 10;
    double warmup = 2;
    Integer connections;
    int inflight = 10;
    Double rate;
    int members = 100;
    int textSize = 64;
    int ioThreads = 1;
    boolean verify;
    Integer sources;
    int connectRate = 2000;
    double pingInterval = 30;
    int users = 10;
    int messages = 1000;
    Path out = Path.of("bench-results");
    boolean quiet;
    boolean help;
    String[] rest = new String[0];

    int connections(int dflt) {
        return connections == null ? dflt : connections;
    }

    double rate(double dflt) {
        return rate == null ? dflt : rate;
    }

    BodyCipher baselineCipher() {
        return BodyCipher.forMode(baselineCipher, cipherKey);
    }

    /** A copy aimed at the baseline relay. */
    BenchOptions forBaseline() {
        BenchOptions b = copy();
        b.server = "baseline";
        b.baseline = false;
        return b;
    }

    private BenchOptions copy() {
        BenchOptions b = new BenchOptions();
        for (var f : BenchOptions.class.getDeclaredFields()) {
            if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                try {
                    f.set(b, f.get(this));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return b;
    }

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        Deque<String> q = new ArrayDeque<>(Arrays.asList(args));
        if (q.isEmpty()) {
            o.help = true;
            return o;
        }
        o.mode = q.poll();
        if (o.mode.equals("-h") || o.mode.equals("--help") || o.mode.equals("help")) {
            o.help = true;
            return o;
        }
        if (o.mode.equals("jmh")) {
            o.rest = q.toArray(String[]::new);
            return o;
        }
        while (!q.isEmpty()) {
            String a = q.poll();
            String v = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                v = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "-h", "--help" -> o.help = true;
                case "--server" -> o.server = val(a, v, q);
                case "--host" -> o.host = val(a, v, q);
                case "--port" -> o.port = (int) num(a, val(a, v, q), 0, 65535);
                case "--cipher" -> o.cipher = val(a, v, q);
                case "--cipher-key" -> o.cipherKey = val(a, v, q);
                case "--server-pid" -> o.serverPid = (long) num(a, val(a, v, q), 1, Long.MAX_VALUE);
                case "--redis" -> o.redis = val(a, v, q);
                case "--server-threads" -> o.serverThreads = (int) num(a, val(a, v, q), 1, 64);
                case "--heap-report" -> o.heapReport = (int) num(a, val(a, v, q), 1, 3600);
                case "--baseline" -> o.baseline = true;
                case "--baseline-cipher" -> o.baselineCipher = val(a, v, q);
                case "--duration" -> o.duration = num(a, val(a, v, q), 0.1, 86_400);
                case "--warmup" -> o.warmup = num(a, val(a, v, q), 0, 3600);
                case "--connections" -> o.connections = (int) num(a, val(a, v, q), 1, 1_000_000);
                case "--inflight" -> o.inflight = (int) num(a, val(a, v, q), 1, 100_000);
                case "--rate" -> o.rate = num(a, val(a, v, q), 0, 100_000_000);
                case "--members" -> o.members = (int) num(a, val(a, v, q), 1, 1_000_000);
                case "--text-size" -> o.textSize = (int) num(a, val(a, v, q), 1, 8000);
                case "--io-threads" -> o.ioThreads = (int) num(a, val(a, v, q), 1, 64);
                case "--verify" -> o.verify = true;
                case "--sources" -> o.sources = (int) num(a, val(a, v, q), 1, 250);
                case "--connect-rate" -> o.connectRate = (int) num(a, val(a, v, q), 1, 1_000_000);
                case "--ping-interval" -> o.pingInterval = num(a, val(a, v, q), 0.01, 3600);
                case "--users" -> o.users = (int) num(a, val(a, v, q), 1, 100_000);
                case "--messages" -> o.messages = (int) num(a, val(a, v, q), 1, 10_000_000);
                case "--out" -> o.out = Path.of(val(a, v, q));
                case "--quiet" -> o.quiet = true;
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (!o.help) {
            check(o);
        }
        return o;
    }

    private static void check(BenchOptions o) {
        if (!java.util.Set.of("pingpong", "open", "fanout", "idle", "offline", "serve").contains(o.mode)) {
            throw new IllegalArgumentException("unknown mode '" + o.mode + "'");
        }
        if (!java.util.Set.of("inproc", "baseline", "external").contains(o.server)) {
            throw new IllegalArgumentException("--server must be inproc, baseline or external");
        }
        if (o.mode.equals("serve") && o.server.equals("external")) {
            throw new IllegalArgumentException("serve starts a server: --server inproc or baseline");
        }
        if (o.baseline && (o.server.equals("baseline") || o.mode.equals("offline") || o.mode.equals("serve"))) {
            throw new IllegalArgumentException("--baseline compares a real server with the relay"
                    + " (not with --server baseline, nor in offline mode: the relay stores nothing)");
        }
        if (o.server.equals("baseline") && o.mode.equals("offline")) {
            throw new IllegalArgumentException("the baseline relay stores nothing: offline mode needs a real server");
        }
        BodyCipher.forMode(o.baselineCipher, o.cipherKey);
        if (o.cipher != null) {
            BodyCipher.forMode(o.cipher, o.cipherKey);
        }
        if (o.rate != null && o.rate == 0 && !o.mode.equals("fanout")) {
            throw new IllegalArgumentException("--rate 0 (a closed loop) is for fanout only");
        }
        if ((o.mode.equals("pingpong") || o.mode.equals("open")) && o.connections(200) % 2 != 0) {
            throw new IllegalArgumentException("--connections must be even: they are used in pairs");
        }
    }

    private static String val(String opt, String inline, Deque<String> q) {
        if (inline != null) {
            return inline;
        }
        String v = q.poll();
        if (v == null) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return v;
    }

    private static double num(String opt, String s, double min, double max) {
        double d;
        try {
            d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a number, not '" + s + "'");
        }
        if (d < min || d > max) {
            throw new IllegalArgumentException(opt + " must be within " + Json.number(min) + ".." + Json.number(max));
        }
        return d;
    }
}
