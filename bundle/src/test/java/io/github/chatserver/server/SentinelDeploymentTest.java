package io.github.chatserver.server;

import io.github.chatserver.testing.RedisSentinelExtension;
import io.github.chatserver.testing.RedisSentinelFixture;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The server on a real Sentinel deployment (a master, a replica, 3 sentinels), configured through a Redisson YAML file. */
@ExtendWith(RedisSentinelExtension.class)
class SentinelDeploymentTest {
    @Test
    void theServerChatsAndStoresOnASentinelDeploymentDescribedByAYamlFile(RedisSentinelFixture sentinel,
                                                                          @TempDir Path dir) throws Exception {
        String yaml = "sentinelServersConfig:\n"
                + "  masterName: \"" + sentinel.masterName() + "\"\n"
                + "  readMode: \"SLAVE\"\n"
                + "  sentinelAddresses:\n"
                + sentinel.sentinelAddresses().stream().map(a -> "    - \"" + a + "\"\n").collect(Collectors.joining());
        DeploymentChecks.serverChatsAndStores(DeploymentChecks.settingsFor(dir, yaml));
    }
}
