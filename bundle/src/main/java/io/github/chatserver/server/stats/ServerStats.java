package io.github.chatserver.server.stats;

import io.github.chatserver.codec.ProtocolViolation;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters. Cheap to bump from any thread; read by tests now and by the console
 * and JMX later.
 */
public final class ServerStats {
    /** Everything counted, by name. */
    public enum Counter {
        CONNECTIONS_ACCEPTED,
        LOGINS_OK,
        LOGINS_REFUSED,
        LOGIN_TIMEOUTS,
        SESSIONS_KICKED,
        IDLE_CLOSED,
        PRE_LOGIN_DROPPED,
        UNKNOWN_PACKETS,
        MESSAGES_ONLINE,
        MESSAGES_OFFLINE,
        OFFLINE_STORE_FAILURES,
        REDIS_ERRORS
    }

    private final Map<Counter, LongAdder> counters = new EnumMap<>(Counter.class);
    private final Map<ProtocolViolation.Kind, LongAdder> violations = new EnumMap<>(ProtocolViolation.Kind.class);

    public ServerStats() {
        for (Counter c : Counter.values()) {
            counters.put(c, new LongAdder());
        }
        for (ProtocolViolation.Kind k : ProtocolViolation.Kind.values()) {
            violations.put(k, new LongAdder());
        }
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

    public long violations() {
        return violations.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
