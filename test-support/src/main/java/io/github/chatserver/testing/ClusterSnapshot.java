package io.github.chatserver.testing;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What each live node of a Redis Cluster says, read at one moment: its {@code CLUSTER INFO},
 * its own role ({@code INFO replication}) and its view of the others ({@code CLUSTER NODES}).
 * Gossip spreads changes over a second or two, so a cluster counts as whole only when every
 * view agrees with what each node says about itself.
 */
final class ClusterSnapshot {
    private static final String ALL_SLOTS = "16384";

    private record NodeState(Map<String, String> clusterInfo, Map<String, String> replication,
                             List<ClusterNodeEntry> view) {
        boolean isMaster() {
            return "master".equals(replication.get("role"));
        }

        int masterPort() {
            return Integer.parseInt(replication.get("master_port"));
        }

        String id() throws IOException {
            return view.stream().filter(entry -> entry.flags().contains("myself")).findFirst()
                    .orElseThrow(() -> new IOException("CLUSTER NODES without a 'myself' line")).id();
        }
    }

    private final RedisProcessGroup processes;
    private final Map<Integer, NodeState> live = new HashMap<>();

    private ClusterSnapshot(RedisProcessGroup processes) {
        this.processes = processes;
    }

    /** Asks every live node in {@code nodes}; fails if one does not answer. */
    static ClusterSnapshot take(RedisProcessGroup processes, List<RedisProcess> nodes) throws IOException {
        ClusterSnapshot snapshot = new ClusterSnapshot(processes);
        for (RedisProcess node : nodes) {
            int port = node.port();
            snapshot.live.put(port, new NodeState(RedisCommand.fields(port, "CLUSTER", "INFO"),
                    RedisCommand.fields(port, "INFO", "replication"),
                    ClusterNodeEntry.parseAll(RedisCommand.text(port, "CLUSTER", "NODES"))));
        }
        return snapshot;
    }

    /**
     * The ports of the masters serving the slots, if the cluster is whole: every live node says
     * {@code cluster_state:ok} with all slots served and knows all {@code nodes} nodes; every view
     * shows each live node in the role it reports (a replica under the master it replicates) and
     * each dead node as failed and serving nothing; the views agree on the {@code masters} slot
     * owners; and every other live node is a replica whose link to its master is up.
     */
    Optional<Set<Integer>> slotOwnersIfWhole(int nodes, int masters) throws IOException {
        Map<Integer, String> ids = new HashMap<>();
        for (Map.Entry<Integer, NodeState> node : live.entrySet()) {
            ids.put(node.getKey(), node.getValue().id());
        }
        Set<Integer> agreedOwners = null;
        for (NodeState observer : live.values()) {
            if (!"ok".equals(observer.clusterInfo().get("cluster_state"))
                    || !ALL_SLOTS.equals(observer.clusterInfo().get("cluster_slots_ok"))
                    || observer.view().size() != nodes) {
                return Optional.empty();
            }
            for (ClusterNodeEntry entry : observer.view()) {
                if (!seenAsItIs(entry, ids)) {
                    return Optional.empty();
                }
            }
            Set<Integer> owners = observer.view().stream().filter(ClusterNodeEntry::ownsSlots)
                    .map(ClusterNodeEntry::port).collect(Collectors.toSet());
            if (agreedOwners != null && !agreedOwners.equals(owners)) {
                return Optional.empty();
            }
            agreedOwners = owners;
        }
        if (agreedOwners == null || agreedOwners.size() != masters) {
            return Optional.empty();
        }
        for (Map.Entry<Integer, NodeState> node : live.entrySet()) {
            NodeState state = node.getValue();
            boolean inPlace = agreedOwners.contains(node.getKey())
                    ? state.isMaster()
                    : !state.isMaster() && "up".equals(state.replication().get("master_link_status"));
            if (!inPlace) {
                return Optional.empty();
            }
        }
        return Optional.of(agreedOwners);
    }

    private boolean seenAsItIs(ClusterNodeEntry entry, Map<Integer, String> ids) {
        NodeState subject = live.get(entry.port());
        if (subject == null) { // dead, or a node this fixture did not start (still in handshake)
            return processes.find(entry.port()).isPresent() && entry.failed() && !entry.ownsSlots();
        }
        if (entry.failed() || entry.flags().contains("fail?")) {
            return false;
        }
        return subject.isMaster()
                ? entry.flags().contains("master")
                : entry.flags().contains("slave") && entry.masterId().equals(ids.get(subject.masterPort()));
    }

    /** The live replicas of the node on {@code masterPort}, by what each replica says it replicates. */
    Set<Integer> replicasOf(int masterPort) {
        return live.entrySet().stream()
                .filter(node -> !node.getValue().isMaster() && node.getValue().masterPort() == masterPort)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }
}
