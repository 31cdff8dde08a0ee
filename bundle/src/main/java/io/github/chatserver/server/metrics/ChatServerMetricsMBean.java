package io.github.chatserver.server.metrics;

import java.util.Map;

/**
 * The chat server's counters and gauges over JMX, as {@link ChatServerMetrics#OBJECT_NAME}. Counters
 * count since the component started (they survive a restart on a new configuration); gauges are now.
 * Registered as an MXBean: the maps are open types (tables), readable by any JMX client.
 */
public interface ChatServerMetricsMBean {

    /** True while the listeners run (false with an invalid configuration). */
    boolean isRunning();

    /** Connections open now, logged in or not, over all listeners. */
    int getConnectionsOpen();

    /** The most connections open at once since the component started. */
    int getConnectionsPeak();

    /** Users logged in on this node now. */
    int getSessionsLoggedIn();

    /** Message slots held by the retry buffer now (writes waiting for Redis); 0 while Redis is healthy. */
    int getRetryBufferSize();

    long getLoginsOk();

    /** Logins answered false (bad credentials, busy, malformed), the connection then closed. */
    long getLoginsRefused();

    /** One-to-one messages written to an online recipient. */
    long getMessagesOnline();

    /** Messages (per recipient) stored for later delivery. */
    long getMessagesOffline();

    /** Stored messages found expired, removed unsent. */
    long getMessagesExpired();

    /** Stored messages pushed out of a full queue by newer ones. */
    long getMessagesDropped();

    /** Accepted messages that could not be kept (each logged at ERROR); anything but 0 needs a look. */
    long getMessagesLost();

    /** Group messages written to online members, one per member. */
    long getGroupDeliveries();

    long getRedisErrors();

    /** Protocol violations of every kind (each closed its connection). */
    long getProtocolViolations();

    /** Every counter of the server, by name (ServerStats.Counter). */
    Map<String, Long> getCounters();

    /** Protocol violations by kind (ProtocolViolation.Kind). */
    Map<String, Long> getViolations();
}
