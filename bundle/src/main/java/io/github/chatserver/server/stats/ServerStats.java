package io.github.chatserver.server.stats;

import io.github.chatserver.codec.ProtocolViolation;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters. Cheap to bump from any thread; read by tests, the console
 * ({@code chat:stats}) and JMX ({@code ChatServerMetricsMBean}).
 */
public final class ServerStats {
    /** Everything counted, by name. */
    public enum Counter {
        CONNECTIONS_ACCEPTED,
        LOGINS_OK,
        LOGINS_REFUSED,
        LOGIN_TIMEOUTS,
        /** Older sessions closed because the same user logged in again. */
        SESSIONS_KICKED,
        /** Sessions closed by the operator ({@code chat:kick}). */
        ADMIN_KICKS,
        IDLE_CLOSED,
        PRE_LOGIN_DROPPED,
        UNKNOWN_PACKETS,
        /** One-to-one messages written to an online recipient. */
        MESSAGES_ONLINE,
        /** Messages (one-to-one or group, per recipient) stored for later delivery. */
        MESSAGES_OFFLINE,
        /** Stored messages delivered (write completed) and removed. */
        OFFLINE_DELIVERED,
        /** Stored messages found expired at delivery time, removed unsent. */
        OFFLINE_EXPIRED,
        /** Stored messages pushed out of a full queue by newer ones. */
        OFFLINE_DROPPED,
        OFFLINE_STORE_FAILURES,
        /** Group messages written to online members (one per member). */
        GROUP_DELIVERIES,
        /** Requests refused by a rule (not a member, not the owner, a limit), answered with the reason. */
        REQUESTS_REFUSED,
        REDIS_ERRORS,
        /** Connections closed on accept because the server already holds {@code maxConnections}. */
        CONNECTIONS_REFUSED_TOTAL,
        /** Connections closed on accept because their address already holds {@code maxConnectionsPerAddress}. */
        CONNECTIONS_REFUSED_PER_ADDRESS,
        /**
         * Connections closed on accept because their address spent its {@code connectionBurstPerAddress}
         * and connects faster than {@code connectionsPerSecondPerAddress}.
         */
        CONNECTIONS_REFUSED_RATE,
        /** Times a session's reads were suspended because it sent more packets or bytes than its rate. */
        SESSIONS_THROTTLED,
        /** Sessions closed because they stayed over their rate longer than {@code throttleGrace}. */
        THROTTLED_CLOSED,
        /** Sessions closed because more than {@code maxQueuedOutboundBytes} waited to be written to them. */
        SLOW_CONSUMERS_CLOSED,
        /** TLS connections closed because the handshake or a record failed (a plain client on the TLS port, say). */
        TLS_FAILURES,
        /** Logins refused for their credentials (wrong password, unknown user, bad token); also in LOGINS_REFUSED. */
        LOGINS_FAILED_AUTH,
        /** Failed logins whose answer was delayed (repeated failures from one address). */
        LOGIN_DELAYS,
        /** Logins refused because too many password checks were waiting; also in LOGINS_REFUSED. */
        LOGINS_BUSY,
        /** Messages (per recipient) and other writes kept in memory because Redis did not take them. */
        STORAGE_BUFFERED,
        /** Writes attempted again from the retry buffer (each attempt counts, per message). */
        STORAGE_RETRIES,
        /** Writes from the retry buffer that Redis finally took (per message). */
        STORAGE_DRAINED,
        /**
         * Messages refused because they needed storage while the retry buffer was full, or needed
         * Redis to be routed at all (group text, membership unknown): the sender's connection was closed.
         */
        MESSAGES_REFUSED,
        /**
         * Messages accepted earlier that could not be kept: the server stopped while Redis still did not
         * take them, Redis refused one for good (an error reply, again and again, while taking other
         * writes), or, with the retry buffer off ({@code storageRetryBuffer=0}), a store failed. A
         * timeout is never counted here: such a write is kept and retried. Logged at ERROR; anything
         * but 0 deserves an operator's look.
         */
        MESSAGES_LOST
    }

    private final Map<Counter, LongAdder> counters = new EnumMap<>(Counter.class);
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger peakConnections = new AtomicInteger();
    private final Map<ProtocolViolation.Kind, LongAdder> violations = new EnumMap<>(ProtocolViolation.Kind.class);

    public ServerStats() {
        for (Counter c : Counter.values()) {
            counters.put(c, new LongAdder());
        }
        for (ProtocolViolation.Kind k : ProtocolViolation.Kind.values()) {
            violations.put(k, new LongAdder());
        }
    }

    /** A connection the handler accepted; {@link #connectionClosed()} once its close was handled. */
    public void connectionOpened() {
        int now = openConnections.incrementAndGet();
        peakConnections.accumulateAndGet(now, Math::max);
    }

    public void connectionClosed() {
        openConnections.decrementAndGet();
    }

    /** Connections open now (accepted by the overload protection, close not yet handled). */
    public int openConnections() {
        return openConnections.get();
    }

    /** The most connections open at once since the component started. */
    public int peakConnections() {
        return peakConnections.get();
    }

    public void increment(Counter counter) {
        counters.get(counter).increment();
    }

    public void violation(ProtocolViolation.Kind kind) {
        violations.get(kind).increment();
    }

    public long get(Counter counter) {
        return counters.get(counter).sum();
    }

    public long violations(ProtocolViolation.Kind kind) {
        return violations.get(kind).sum();
    }

    /** Every counter now, in declaration order. */
    public Map<Counter, Long> counters() {
        Map<Counter, Long> now = new EnumMap<>(Counter.class);
        counters.forEach((c, adder) -> now.put(c, adder.sum()));
        return now;
    }

    /** Protocol violations now, by kind. */
    public Map<ProtocolViolation.Kind, Long> violationsByKind() {
        Map<ProtocolViolation.Kind, Long> now = new EnumMap<>(ProtocolViolation.Kind.class);
        violations.forEach((k, adder) -> now.put(k, adder.sum()));
        return now;
    }

    public long violations() {
        return violations.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
