package io.github.chatserver.server.admin;

import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.server.ChatServer;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.handler.UuidRule;
import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.ConsoleQueries;
import io.github.chatserver.server.storage.GroupRecord;
import io.github.chatserver.server.storage.GroupStore;
import io.github.chatserver.server.storage.OfflineStore;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.mina.core.session.IoSession;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's view of one running {@link ChatServer}: status, sessions, counters, and read-only
 * looks at groups and offline queues in Redis, through the console's own small connection. Plain
 * Java, so tests use it without OSGi.
 */
public final class ServerOperations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerOperations.class);
    static final Duration PING_TIMEOUT = Duration.ofSeconds(2);
    static final String VIOLATIONS_PREFIX = "VIOLATIONS.";

    private final ChatServer server;
    private final String version;
    private final Supplier<RedissonClient> redis;
    private final AutoCloseable connection;
    private final Instant startedAt = Instant.now();
    private Map<String, Long> previous;
    private long previousAtNanos = System.nanoTime();

    /** @param redis a client on the server's Redis (tests pass their own) */
    public ServerOperations(ChatServer server, String version, Supplier<RedissonClient> redis) {
        this(server, version, redis, () -> { });
    }

    private ServerOperations(ChatServer server, String version, Supplier<RedissonClient> redis, AutoCloseable connection) {
        this.server = server;
        this.version = version;
        this.redis = redis;
        this.connection = connection;
    }

    /** On a console connection of its own, opened by the first command that needs Redis, closed by {@link #close()}. */
    public static ServerOperations connecting(ChatServer server, String version) {
        AdminConnection connection = new AdminConnection(server.settings());
        return new ServerOperations(server, version, connection::redisson, connection);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (Exception e) {
            LOG.warn("Could not close the console's Redis connection: {}", e.toString());
        }
    }

    public ServerStatus status() {
        ServerSettings settings = server.settings();
        List<String> listeners = new ArrayList<>();
        InetSocketAddress plain = server.localAddress();
        InetSocketAddress tls = server.tlsAddress();
        if (plain != null && !plain.equals(tls)) {
            listeners.add("plain " + format(plain) + " (cipher " + settings.cipher() + ")");
        }
        if (tls != null) {
            listeners.add("TLS " + format(tls) + " (cipher " + settings.tls().cipher() + ", "
                    + String.join("/", settings.tls().protocols()) + ")");
        }
        Duration latency = null;
        String error = null;
        try {
            latency = queries().ping(PING_TIMEOUT);
        } catch (RuntimeException e) {
            error = e.getMessage();
        }
        ServerStats stats = server.stats();
        return new ServerStatus(settings.nodeId(), listeners, settings.redisDescription(), latency, error,
                stats.openConnections(), stats.peakConnections(), server.sessions().size(), startedAt, version);
    }

    public List<SessionInfo> sessions(String user) {
        List<SessionInfo> found = new ArrayList<>();
        for (IoSession session : server.sessions().all()) {
            ClientState state = ClientState.of(session);
            String owner = state.user();
            if (owner == null || (user != null && !user.equals(owner))) {
                continue;
            }
            found.add(new SessionInfo(owner, format(session.getRemoteAddress()),
                    session.getFilterChain().contains("tls"), state.loggedInAtMillis(),
                    state.packetsReceived(), TrackedWrites.packetsWritten(session), session.getReadBytes(),
                    session.getWrittenBytes(), session.getScheduledWriteBytes()));
        }
        found.sort(Comparator.comparing(SessionInfo::user));
        return found;
    }

    public List<String> onlineUsers(String prefix, int max) {
        String start = prefix == null ? "" : prefix;
        return server.sessions().all().stream().map(s -> ClientState.of(s).user())
                .filter(u -> u != null && u.startsWith(start)).sorted().limit(max).toList();
    }

    public boolean kick(String uuid) {
        requireUuid(uuid);
        IoSession session = server.sessions().find(uuid).orElse(null);
        if (session == null) {
            return false;
        }
        session.closeNow();
        server.stats().increment(Counter.ADMIN_KICKS);
        LOG.info("Session of '{}' from {} closed by the operator", uuid, format(session.getRemoteAddress()));
        return true;
    }

    /** Counters and their rates since the previous call, or since start for the first. */
    public synchronized StatsReport stats() {
        long nowNanos = System.nanoTime();
        Map<String, Long> now = new LinkedHashMap<>();
        ServerStats stats = server.stats();
        stats.counters().forEach((c, v) -> now.put(c.name(), v));
        for (Map.Entry<ProtocolViolation.Kind, Long> e : stats.violationsByKind().entrySet()) {
            now.put(VIOLATIONS_PREFIX + e.getKey().name(), e.getValue());
        }
        boolean sinceStart = previous == null;
        Duration interval = sinceStart ? Duration.between(startedAt, Instant.now())
                : Duration.ofNanos(nowNanos - previousAtNanos);
        double seconds = Math.max(interval.toNanos() / 1e9, 1e-3);
        List<StatsReport.Line> lines = new ArrayList<>();
        for (Map.Entry<String, Long> e : now.entrySet()) {
            long before = sinceStart ? 0 : previous.getOrDefault(e.getKey(), 0L);
            lines.add(new StatsReport.Line(e.getKey(), e.getValue(), Math.max(0, e.getValue() - before) / seconds));
        }
        previous = now;
        previousAtNanos = nowNanos;
        return new StatsReport(interval, sinceStart, lines);
    }

    public List<GroupRecord> groupsOf(String user) {
        requireUuid(user);
        List<GroupRecord> groups = new ArrayList<>(queries().groupsOf(user));
        groups.sort(Comparator.comparing(GroupRecord::id));
        return groups;
    }

    public List<GroupRecord> scanGroups(int max) {
        ConsoleQueries queries = queries();
        List<GroupRecord> groups = new ArrayList<>();
        for (String id : queries.groupIds("", max)) {
            GroupRecord group = queries.group(id);
            if (group != null) { // disbanded between the scan and the read
                groups.add(group);
            }
        }
        groups.sort(Comparator.comparing(GroupRecord::id));
        return groups;
    }

    public List<String> groupIds(String prefix, int max) {
        return queries().groupIds(prefix, max);
    }

    public GroupRecord group(String id) {
        if (!GroupStore.isWellFormedId(id)) {
            throw new IllegalArgumentException("Invalid group id: 22 URL-safe base64 characters");
        }
        GroupRecord group = queries().group(id);
        if (group == null) {
            throw new IllegalArgumentException("No such group '" + id + "'");
        }
        return group;
    }

    public OfflineSummary offline(String uuid) {
        requireUuid(uuid);
        ConsoleQueries queries = queries();
        return new OfflineSummary(uuid, queries.queue(OfflineStore.Kind.C2C, uuid),
                queries.queue(OfflineStore.Kind.GROUP, uuid));
    }

    private ConsoleQueries queries() {
        return new ConsoleQueries(redis.get());
    }

    private void requireUuid(String uuid) {
        UuidRule.require(uuid, server.settings().limits().maxUuidLength());
    }

    private static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
