package io.github.chatserver.server;

import io.github.chatserver.testing.RedisClusterExtension;
import io.github.chatserver.testing.RedisClusterFixture;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The server on a real Redis Cluster (3 masters, a replica each), configured through a Redisson YAML file. */
@ExtendWith(RedisClusterExtension.class)
class ClusterDeploymentTest {
    @Test
    void theServerChatsAndStoresOnARedisClusterDescribedByAYamlFile(RedisClusterFixture cluster, @TempDir Path dir)
            throws Exception {
        // Settings the server overrides (codec, retryAttempts, readMode) are in the file on purpose.
        String yaml = "codec: !<org.redisson.codec.Kryo5Codec> {}\n"
                + "clusterServersConfig:\n"
                + "  readMode: \"SLAVE\"\n"
                + "  retryAttempts: 5\n"
                + "  scanInterval: 1000\n"
                + "  nodeAddresses:\n"
                + cluster.addresses().stream().map(a -> "    - \"" + a + "\"\n").collect(Collectors.joining());
        DeploymentChecks.serverChatsAndStores(DeploymentChecks.settingsFor(dir, yaml));
    }
}
