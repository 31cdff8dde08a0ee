package io.github.chatserver.server.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The running server at a glance ({@code chat:status}).
 *
 * @param listeners each bound listener, e.g. {@code plain 127.0.0.1:8989 (cipher legacy-aes)}
 * @param redisLatency how long a PING took; {@code null} when Redis did not answer ({@code redisError} says why)
 * @param startedAt when the listeners were (re)started
 */
public record ServerStatus(String nodeId, List<String> listeners, String redisAddress, Duration redisLatency,
                           String redisError, int connections, int peakConnections, int sessions,
                           Instant startedAt, String version) {

    public Duration uptime(Instant now) {
        return Duration.between(startedAt, now);
    }
}
