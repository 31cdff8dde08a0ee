package io.github.chatserver.server.cluster;

import java.util.Map;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;

/** Redis's own count of the commands it ran ({@code INFO commandstats}), summed over the masters. */
final class CommandStats {
    private CommandStats() {
    }

    /** Calls of one command so far (scripts' own calls included), e.g. {@code xadd}. */
    static long calls(RedissonClient redisson, String command) {
        return stats(redisson).entrySet().stream().filter(e -> e.getKey().equals("cmdstat_" + command))
                .mapToLong(e -> callsOf(e.getValue())).sum();
    }

    /** Calls of every command so far. */
    static long allCalls(RedissonClient redisson) {
        return stats(redisson).entrySet().stream().filter(e -> e.getKey().startsWith("cmdstat_"))
                .mapToLong(e -> callsOf(e.getValue())).sum();
    }

    private static Map<String, String> stats(RedissonClient redisson) {
        if (redisson.getConfig().isClusterConfig()) {
            Map<String, String> sum = new java.util.HashMap<>();
            for (var master : redisson.getRedisNodes(RedisNodes.CLUSTER).getMasters()) {
                master.info(RedisNode.InfoSection.COMMANDSTATS).forEach((k, v) ->
                        sum.merge(k, v, (a, b) -> "calls=" + (callsOf(a) + callsOf(b))));
            }
            return sum;
        }
        return redisson.getRedisNodes(RedisNodes.SINGLE).getInstance().info(RedisNode.InfoSection.COMMANDSTATS);
    }

    private static long callsOf(String stat) {
        for (String part : stat.split(",")) {
            if (part.startsWith("calls=")) {
                return Long.parseLong(part.substring("calls=".length()));
            }
        }
        return 0;
    }
}
