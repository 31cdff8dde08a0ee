package io.github.chatserver.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One line of {@code CLUSTER NODES}: a node as another node sees it. Format:
 * {@code <id> <ip:port@busport[,hostname]> <flags> <master id or -> <ping-sent> <pong-recv>
 * <config-epoch> <link-state> <slot or range>...}.
 */
record ClusterNodeEntry(String id, int port, Set<String> flags, String masterId, List<int[]> slotRanges) {

    static List<ClusterNodeEntry> parseAll(String clusterNodes) {
        List<ClusterNodeEntry> entries = new ArrayList<>();
        for (String line : clusterNodes.split("\r?\n")) {
            if (!line.isBlank()) {
                entries.add(parse(line.trim()));
            }
        }
        return entries;
    }

    private static ClusterNodeEntry parse(String line) {
        String[] fields = line.split(" ");
        String hostPort = fields[1].substring(0, fields[1].indexOf('@'));
        int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        List<int[]> ranges = new ArrayList<>();
        for (int i = 8; i < fields.length; i++) {
            if (!fields[i].startsWith("[")) { // "[slot->-id]": a slot being migrated, still owned as listed elsewhere
                String[] bounds = fields[i].split("-");
                int first = Integer.parseInt(bounds[0]);
                ranges.add(new int[] {first, bounds.length > 1 ? Integer.parseInt(bounds[1]) : first});
            }
        }
        return new ClusterNodeEntry(fields[0], port, Set.of(fields[2].split(",")), fields[3], ranges);
    }

    /** Marked failed by a majority of masters ({@code fail}); {@code fail?} is only this node's suspicion. */
    boolean failed() {
        return flags.contains("fail");
    }

    boolean ownsSlots() {
        return !slotRanges.isEmpty();
    }

    boolean ownsSlot(int slot) {
        return slotRanges.stream().anyMatch(range -> range[0] <= slot && slot <= range[1]);
    }
}
