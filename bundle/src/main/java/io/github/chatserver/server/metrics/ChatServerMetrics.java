package io.github.chatserver.server.metrics;

import io.github.chatserver.server.ChatServer;
import io.github.chatserver.server.ChatServerComponent;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.StandardMBean;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@link ChatServerMetricsMBean} of the chat server component. Registered the Karaf way: an OSGi
 * service with the property {@code jmx.objectname}, which the JMX whiteboard of Karaf's
 * {@code management} feature (Aries JMX) registers in Karaf's MBean server, and unregisters with
 * the service. Reads the counters on each access; no thread, no state of its own.
 */
@Component(service = ChatServerMetricsMBean.class, property = "jmx.objectname=" + ChatServerMetrics.OBJECT_NAME)
public class ChatServerMetrics extends StandardMBean implements ChatServerMetricsMBean {
    public static final String OBJECT_NAME = "io.github.chatserver:type=ChatServer,name=metrics";

    @Reference
    ChatServerComponent component;

    public ChatServerMetrics() {
        super(ChatServerMetricsMBean.class, true);
    }

    /** Outside OSGi (tests). */
    public ChatServerMetrics(ChatServerComponent component) {
        this();
        this.component = component;
    }

    private ServerStats stats() {
        return component.serverStats();
    }

    @Override
    public boolean isRunning() {
        return component.server() != null;
    }

    @Override
    public int getConnectionsOpen() {
        return stats().openConnections();
    }

    @Override
    public int getConnectionsPeak() {
        return stats().peakConnections();
    }

    @Override
    public int getSessionsLoggedIn() {
        ChatServer server = component.server();
        return server == null ? 0 : server.sessions().size();
    }

    @Override
    public int getRetryBufferSize() {
        ChatServer server = component.server();
        return server == null ? 0 : server.retryBufferReserved();
    }

    @Override
    public long getLoginsOk() {
        return stats().get(Counter.LOGINS_OK);
    }

    @Override
    public long getLoginsRefused() {
        return stats().get(Counter.LOGINS_REFUSED);
    }

    @Override
    public long getMessagesOnline() {
        return stats().get(Counter.MESSAGES_ONLINE);
    }

    @Override
    public long getMessagesOffline() {
        return stats().get(Counter.MESSAGES_OFFLINE);
    }

    @Override
    public long getMessagesExpired() {
        return stats().get(Counter.OFFLINE_EXPIRED);
    }

    @Override
    public long getMessagesDropped() {
        return stats().get(Counter.OFFLINE_DROPPED);
    }

    @Override
    public long getMessagesLost() {
        return stats().get(Counter.MESSAGES_LOST);
    }

    @Override
    public long getGroupDeliveries() {
        return stats().get(Counter.GROUP_DELIVERIES);
    }

    @Override
    public long getRedisErrors() {
        return stats().get(Counter.REDIS_ERRORS);
    }

    @Override
    public long getProtocolViolations() {
        return stats().violations();
    }

    @Override
    public Map<String, Long> getCounters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        stats().counters().forEach((c, v) -> counters.put(c.name(), v));
        return counters;
    }

    @Override
    public Map<String, Long> getViolations() {
        Map<String, Long> violations = new LinkedHashMap<>();
        stats().violationsByKind().forEach((k, v) -> violations.put(k.name(), v));
        return violations;
    }
}
