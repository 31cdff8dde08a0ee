package io.github.chatserver.server;

import io.github.chatserver.server.config.ChatServerConfig;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.stats.ServerStats;
import java.io.IOException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat server in OSGi: configured through Config Admin (PID {@code io.github.chatserver}),
 * started on activation, stopped on deactivation (port released, sessions closed) and
 * restarted on a new configuration, without restarting Karaf.
 */
@Component(service = ChatServerComponent.class, configurationPid = ChatServerConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = ChatServerConfig.class)
public class ChatServerComponent {
    private static final Logger LOG = LoggerFactory.getLogger(ChatServerComponent.class);

    /** Counters survive reconfiguration: they describe the component, not one listener. */
    private final ServerStats stats = new ServerStats();
    private ChatServer server;

    @Activate
    void activate(ChatServerConfig config) throws IOException {
        ServerSettings settings = settingsOf(config);
        server = new ChatServer(settings, stats);
        server.start();
    }

    @Modified
    void modified(ChatServerConfig config) throws IOException {
        ServerSettings settings = settingsOf(config);
        LOG.info("Configuration of {} changed: restarting the listener", ChatServerConfig.PID);
        stopServer();
        server = new ChatServer(settings, stats);
        server.start();
    }

    @Deactivate
    void deactivate() {
        stopServer();
    }

    private static ServerSettings settingsOf(ChatServerConfig config) {
        try {
            return ServerSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error(e.getMessage());
            throw e;
        }
    }

    private void stopServer() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    public ChatServer server() {
        return server;
    }
}
