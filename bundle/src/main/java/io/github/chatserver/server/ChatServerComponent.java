package io.github.chatserver.server;

import io.github.chatserver.server.admin.ChatAdmin;
import io.github.chatserver.server.admin.OfflineSummary;
import io.github.chatserver.server.admin.ServerOperations;
import io.github.chatserver.server.admin.ServerStatus;
import io.github.chatserver.server.admin.SessionInfo;
import io.github.chatserver.server.admin.StatsReport;
import io.github.chatserver.server.admin.UserAdmin;
import io.github.chatserver.server.config.ChatServerConfig;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.storage.GroupRecord;
import io.github.chatserver.server.storage.RedisClientConfig;
import java.io.IOException;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
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
 * restarted on a new configuration, without restarting Karaf. An invalid configuration is
 * reported in one log line naming the key, and nothing starts (or, on a change, the running
 * server keeps its previous configuration). Also the {@link ChatAdmin} service of the
 * {@code chat:} console commands.
 */
@Component(service = {ChatServerComponent.class, ChatAdmin.class}, configurationPid = ChatServerConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = ChatServerConfig.class)
public class ChatServerComponent implements ChatAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(ChatServerComponent.class);

    /** Counters survive reconfiguration: they describe the component, not one listener. */
    private final ServerStats stats = new ServerStats();
    private volatile ChatServer server;
    private volatile UserAdmin admin;
    /** nodeId as configured (blank: generated at start, and kept over an in-place change). */
    private volatile String configuredNodeId;
    private volatile ServerOperations operations;

    @Activate
    void activate(ChatServerConfig config) throws IOException {
        ServerSettings settings = settingsOf(config, "not started");
        if (settings != null) {
            start(settings);
            configuredNodeId = config.nodeId();
        }
    }

    /**
     * A new configuration: refused (one log line, the running server untouched) if invalid; applied
     * in place if it changes only what is read per session or packet ({@link
     * ServerSettings#appliesInPlace}: connected sessions stay connected); otherwise the listeners
     * and the Redis connection restart with it (a graceful stop: sessions are closed, unwritten
     * messages stored). If the new listeners cannot start (e.g. the port is taken), the previous
     * configuration is started again.
     */
    @Modified
    void modified(ChatServerConfig config) throws IOException {
        ServerSettings settings = settingsOf(config, server == null ? "not started" : "keeping the running configuration");
        if (settings == null) {
            return;
        }
        ChatServer running = server;
        if (running == null) {
            start(settings);
            configuredNodeId = config.nodeId();
            return;
        }
        ServerSettings previous = running.settings();
        if (isBlank(config.nodeId()) && isBlank(configuredNodeId)) {
            settings = settings.toBuilder().nodeId(previous.nodeId()).build(); // keep the generated name
        }
        if (running.reconfigure(settings)) {
            configuredNodeId = config.nodeId();
            if (previous.limits().maxUuidLength() != settings.limits().maxUuidLength()) {
                UserAdmin old = admin;
                admin = UserAdmin.connecting(settings, running::sessions);
                if (old != null) {
                    old.close();
                }
            }
            return;
        }
        LOG.info("Configuration of {} changed what the listeners are built from: restarting them", ChatServerConfig.PID);
        stopServer();
        try {
            start(settings);
            configuredNodeId = config.nodeId();
        } catch (IOException | RuntimeException e) {
            LOG.error("Chat server could not start with the new configuration of {} ({}); starting the previous one again",
                    ChatServerConfig.PID, e.toString());
            start(previous);
        }
    }

    @Deactivate
    void deactivate() {
        stopServer();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /**
     * The validated settings, or {@code null} after one clear log line (no stack trace: nothing is
     * broken but the file). The Redis deployment's file ({@code redisConfig}) is read here too.
     */
    private static ServerSettings settingsOf(ChatServerConfig config, String consequence) {
        try {
            ServerSettings settings = ServerSettings.from(config);
            RedisClientConfig.deployment(settings);
            return settings;
        } catch (IllegalArgumentException e) {
            LOG.error("{}; chat server {}", e.getMessage(), consequence);
            return null;
        }
    }

    private void start(ServerSettings settings) throws IOException {
        ChatServer started = new ChatServer(settings, stats);
        started.start();
        server = started;
        admin = UserAdmin.connecting(settings, started::sessions);
        operations = ServerOperations.connecting(started, version());
    }

    /** This bundle's version; outside OSGi (tests) the word "unknown". */
    private static String version() {
        Bundle bundle = FrameworkUtil.getBundle(ChatServerComponent.class);
        return bundle == null ? "unknown" : bundle.getVersion().toString();
    }

    private void stopServer() {
        ServerOperations o = operations;
        operations = null;
        if (o != null) {
            o.close();
        }
        UserAdmin a = admin;
        admin = null;
        if (a != null) {
            a.close();
        }
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    public ChatServer server() {
        return server;
    }

    /** The counters: they outlive a restart on a new configuration. */
    public ServerStats serverStats() {
        return stats;
    }

    private ServerOperations operations() {
        ServerOperations o = operations;
        if (o == null) {
            throw new IllegalStateException("The chat server is not running (see the log for its configuration)");
        }
        return o;
    }

    private UserAdmin admin() {
        UserAdmin a = admin;
        if (a == null) {
            throw new IllegalStateException("The chat server is not running (see the log for its configuration)");
        }
        return a;
    }

    @Override
    public String authMode() {
        return admin().authMode();
    }

    @Override
    public void addUser(String uuid, char[] password) {
        admin().addUser(uuid, password);
    }

    @Override
    public void changePassword(String uuid, char[] password) {
        admin().changePassword(uuid, password);
    }

    @Override
    public void removeUser(String uuid) {
        admin().removeUser(uuid);
    }

    @Override
    public String mintToken(String uuid, long ttlSeconds) {
        return admin().mintToken(uuid, ttlSeconds);
    }

    @Override
    public List<String> users(String prefix, int max) {
        return admin().users(prefix, max);
    }

    @Override
    public ServerStatus status() {
        return operations().status();
    }

    @Override
    public List<SessionInfo> sessions(String user) {
        return operations().sessions(user);
    }

    @Override
    public List<String> onlineUsers(String prefix, int max) {
        return operations().onlineUsers(prefix, max);
    }

    @Override
    public boolean kick(String uuid) {
        return operations().kick(uuid);
    }

    @Override
    public StatsReport stats() {
        return operations().stats();
    }

    @Override
    public List<GroupRecord> groupsOf(String user) {
        return operations().groupsOf(user);
    }

    @Override
    public List<GroupRecord> scanGroups(int max) {
        return operations().scanGroups(max);
    }

    @Override
    public List<String> groupIds(String prefix, int max) {
        return operations().groupIds(prefix, max);
    }

    @Override
    public GroupRecord group(String id) {
        return operations().group(id);
    }

    @Override
    public OfflineSummary offline(String uuid) {
        return operations().offline(uuid);
    }
}
