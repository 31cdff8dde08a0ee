package io.github.chatserver.bench;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.server.ChatServer;
import io.github.chatserver.server.config.Limits;
import io.github.chatserver.server.config.OfflinePolicy;
import io.github.chatserver.server.config.OverloadSettings;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.testing.RedisServer;
import io.github.chatserver.server.storage.OfflineStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.Config;

/**
 * What the generator talks to: a server it starts in this JVM (with a private redis-server),
 * the bare baseline relay, or a server that is already running.
 */
abstract class Target implements AutoCloseable {
    abstract String name();

    abstract String host();

    abstract int port();

    abstract BodyCipher cipher();

    abstract String cipherMode();

    boolean inProcess() {
        return true;
    }

    boolean storesOffline() {
        return true;
    }

    /**
     * The port of a loopback Redis that {@code redis-benchmark} may load after an offline run, for
     * comparison: the one this run started, or an external server's own ({@code --redis}); 0 if none.
     */
    int benchmarkRedisPort() {
        return 0;
    }

    /** Messages the server has written to offline storage so far, or -1 where it cannot be seen (external). */
    long storedOffline() {
        return -1;
    }

    /**
     * One-to-one messages stored for these users, read from the server's Redis, or -1 where that
     * Redis is not known (an external server without {@code --redis}).
     */
    long storedFor(List<String> users) {
        return -1;
    }

    /** Remembers CPU counters at the start of the measured window. */
    void markStart() {
    }

    /** Adds what is known about the server's CPU over the window to the summary. */
    void cpuSummary(Map<String, Object> cpu, double seconds) {
    }

    @Override
    public void close() {
    }

    static Target start(BenchOptions o) throws IOException {
        return switch (o.server) {
            case "inproc" -> InProcess.start(o);
            case "baseline" -> Baseline.start(o);
            case "external" -> new External(o);
            default -> throw new IllegalArgumentException("--server must be inproc, baseline or external, not " + o.server);
        };
    }

    /** Settings for a server under load: the documented defaults, with overload protection opened up. */
    static ServerSettings benchSettings(String redisAddress, int port) {
        ServerSettings d = ServerSettings.defaults(redisAddress);
        OverloadSettings o = d.overload();
        return d.toBuilder()
                .port(port)
                .overload(new OverloadSettings(1_000_000, 1_000_000, 1_000_000, 1_000_000, 100_000_000,
                        Integer.MAX_VALUE, o.throttleGrace(), 1L << 30, o.storageRetryBuffer()))
                .limits(new Limits(d.limits().maxTextLength(), d.limits().maxGroupNameLength(), 1_000_000,
                        d.limits().maxGroupsPerUser(), d.limits().maxUuidLength()))
                .offline(new OfflinePolicy(d.offline().c2cTtl(), d.offline().groupTtl(), 10_000_000, false))
                .build();
    }

    /** CPU time of another process, from the kernel's accounting (-1 if unknown). */
    static long cpuNanos(Optional<ProcessHandle> process) {
        return process.flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
    }

    static Optional<ProcessHandle> redisChild() {
        return ProcessHandle.current().children()
                // Debian's redis-server is a link to redis-check-rdb: that is the name the kernel shows
                .filter(p -> p.info().command().map(c -> c.contains("redis")).orElse(false))
                .findFirst();
    }

    /** ChatServer and redis-server started here; server CPU is this process's minus the generator's. */
    static final class InProcess extends Target {
        private final RedisServer redis;
        private final ChatServer server;
        private final Optional<ProcessHandle> redisProcess;
        private long redisCpuAtStart;

        private InProcess(RedisServer redis, ChatServer server) {
            this.redis = redis;
            this.server = server;
            this.redisProcess = redis == null ? Optional.empty() : redisChild();
        }

        static InProcess start(BenchOptions o) throws IOException {
            return startOn(o, 0);
        }

        static InProcess startOn(BenchOptions o, int port) throws IOException {
            RedisServer redis = o.redis == null ? RedisServer.start() : null;
            String address = redis != null ? redis.address() : o.redis;
            try {
                ChatServer server = new ChatServer(benchSettings(address, port), new ServerStats());
                server.start();
                return new InProcess(redis, server);
            } catch (IOException | RuntimeException e) {
                if (redis != null) {
                    redis.close();
                }
                throw e;
            }
        }

        @Override
        String name() {
            return "inproc";
        }

        @Override
        String host() {
            return "127.0.0.1";
        }

        @Override
        int port() {
            return server.localAddress().getPort();
        }

        @Override
        BodyCipher cipher() {
            return server.settings().bodyCipher();
        }

        @Override
        String cipherMode() {
            return server.settings().cipher();
        }

        int openConnections() {
            return server.stats().openConnections();
        }

        @Override
        int benchmarkRedisPort() {
            return redis == null ? 0 : redis.port();
        }

        @Override
        long storedOffline() {
            return server.stats().get(ServerStats.Counter.MESSAGES_OFFLINE);
        }

        @Override
        void markStart() {
            redisCpuAtStart = cpuNanos(redisProcess);
        }

        @Override
        void cpuSummary(Map<String, Object> cpu, double seconds) {
            long now = cpuNanos(redisProcess);
            if (now >= 0 && redisCpuAtStart >= 0) {
                cpu.put("redis_cores", Metrics.round((now - redisCpuAtStart) / 1e9 / seconds, 3));
            }
        }

        @Override
        public void close() {
            try {
                // let the server finish the closes of the generator's connections (presence
                // releases in Redis) before it disconnects from Redis
                server.awaitNoSessions(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.stop();
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** The bare relay: no Redis, no authentication, cipher none unless asked. */
    static final class Baseline extends Target {
        private final BaselineRelay relay;

        private Baseline(BaselineRelay relay) {
            this.relay = relay;
        }

        static Baseline start(BenchOptions o) throws IOException {
            return new Baseline(BaselineRelay.start("127.0.0.1", 0, o.baselineCipher(), o.serverThreads));
        }

        @Override
        String name() {
            return "baseline";
        }

        @Override
        String host() {
            return "127.0.0.1";
        }

        @Override
        int port() {
            return relay.port();
        }

        @Override
        BodyCipher cipher() {
            return relay.cipher();
        }

        @Override
        String cipherMode() {
            return relay.cipher().mode();
        }

        @Override
        boolean storesOffline() {
            return false;
        }

        @Override
        public void close() {
            relay.close();
        }
    }

    /**
     * A server already running (in Karaf, or `bench serve`); its CPU is known if --server-pid is
     * given, its stored messages if --redis names its Redis.
     */
    static final class External extends Target {
        private final BenchOptions o;
        private final Optional<ProcessHandle> process;
        private long cpuAtStart;
        private RedissonClient redis;

        External(BenchOptions o) {
            this.o = o;
            this.process = o.serverPid > 0 ? ProcessHandle.of(o.serverPid) : Optional.empty();
            if (o.serverPid > 0 && process.isEmpty()) {
                throw new IllegalArgumentException("no process with --server-pid " + o.serverPid);
            }
        }

        @Override
        int benchmarkRedisPort() {
            if (o.redis == null) {
                return 0;
            }
            URI uri = URI.create(o.redis);
            try {
                // redis-benchmark loads what it is pointed at: only a Redis on this machine's loopback
                return InetAddress.getByName(uri.getHost()).isLoopbackAddress() && uri.getPort() > 0 ? uri.getPort() : 0;
            } catch (UnknownHostException e) {
                return 0;
            }
        }

        @Override
        long storedFor(List<String> users) {
            if (o.redis == null) {
                return -1;
            }
            if (redis == null) {
                Config config = new Config();
                config.useSingleServer().setAddress(o.redis).setConnectionPoolSize(2).setConnectionMinimumIdleSize(1);
                redis = Redisson.create(config);
            }
            long n = 0;
            for (String user : users) {
                n += redis.getScoredSortedSet(OfflineStore.Kind.C2C.key(user), ByteArrayCodec.INSTANCE).size();
            }
            return n;
        }

        @Override
        public void close() {
            if (redis != null) {
                redis.shutdown();
            }
        }

        @Override
        String name() {
            return "external";
        }

        @Override
        String host() {
            return o.host;
        }

        @Override
        int port() {
            return o.port;
        }

        @Override
        BodyCipher cipher() {
            return BodyCipher.forMode(o.cipher == null ? BodyCipher.LEGACY_AES : o.cipher, o.cipherKey);
        }

        @Override
        String cipherMode() {
            return cipher().mode();
        }

        @Override
        boolean inProcess() {
            return false;
        }

        @Override
        void markStart() {
            cpuAtStart = cpuNanos(process);
        }

        @Override
        void cpuSummary(Map<String, Object> cpu, double seconds) {
            long now = cpuNanos(process);
            if (now >= 0 && cpuAtStart >= 0) {
                cpu.put("server_cores", Metrics.round((now - cpuAtStart) / 1e9 / seconds, 3));
            }
        }
    }
}
