package io.github.chatserver.server.transport;

import io.github.chatserver.server.config.OverloadSettings;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.stats.ThrottledLog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a new connection only within {@code maxConnections} in total, {@code
 * maxConnectionsPerAddress} from its source address, and the attempt rate of that address: a
 * token bucket per address that holds {@code connectionBurstPerAddress} attempts and refills at
 * {@code connectionsPerSecondPerAddress}, so the users behind one NAT may all reconnect at once
 * while a sustained flood is held to the rate. Anything else is closed in {@code sessionCreated},
 * before any other filter or the handler hears of it: no TLS engine, no login timer, nothing read
 * is acted on. One instance serves every listener, so the totals are the server's. Must be first
 * in the chain.
 *
 * <p>Every limit is read at each attempt, the buckets' rate and burst included, so a live
 * change ({@link #update}) applies at once to every address, also to those already seen.
 */
public final class ConnectionLimitFilter extends IoFilterAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimitFilter.class);
    private static final AttributeKey ADMITTED = new AttributeKey(ConnectionLimitFilter.class, "admitted");
    private static final AttributeKey REFUSED = new AttributeKey(ConnectionLimitFilter.class, "refused");

    private enum Refusal {
        TOTAL(Counter.CONNECTIONS_REFUSED_TOTAL, "the server holds maxConnections"),
        PER_ADDRESS(Counter.CONNECTIONS_REFUSED_PER_ADDRESS, "its address holds maxConnectionsPerAddress"),
        RATE(Counter.CONNECTIONS_REFUSED_RATE,
                "its address spent connectionBurstPerAddress and connects faster than connectionsPerSecondPerAddress");

        final Counter counter;
        final String reason;

        Refusal(Counter counter, String reason) {
            this.counter = counter;
            this.reason = reason;
        }
    }

    /** An admitted session's address; {@code null} if the socket had none (closed at once). */
    private record Admission(InetAddress address) {
    }

    /** What is known about one source address. Guarded by the map's per-key atomicity. */
    private static final class Source {
        final TokenBucket attempts;
        int connections;

        Source(Supplier<TokenBucket.Rate> rate, long now) {
            attempts = new TokenBucket(rate, now);
        }
    }

    private volatile OverloadSettings limits;
    /** The attempt rate of {@link #limits}, made once per change: every bucket reads it at each use. */
    private volatile TokenBucket.Rate attemptRate;
    private final Supplier<TokenBucket.Rate> currentAttemptRate = () -> attemptRate;
    private final ServerStats stats;
    private final ThrottledLog refusals = new ThrottledLog(LOG, 20);
    private final ConcurrentHashMap<InetAddress, Source> sources = new ConcurrentHashMap<>();
    private int total; // guarded by this

    public ConnectionLimitFilter(OverloadSettings limits, ServerStats stats) {
        this.stats = stats;
        update(limits);
    }

    /**
     * New limits (live reconfiguration) for every attempt from now on, from every address: known
     * addresses keep the tokens they have, refilled at the new rate and capped at the new burst.
     * No connection is closed.
     */
    public void update(OverloadSettings next) {
        attemptRate = new TokenBucket.Rate(next.connectionsPerSecondPerAddress(), next.connectionBurstPerAddress());
        limits = next;
    }

    @Override
    public void sessionCreated(NextFilter next, IoSession session) throws Exception {
        InetAddress address = addressOf(session.getRemoteAddress());
        Refusal refusal = admit(address, System.nanoTime());
        if (refusal == null) {
            session.setAttribute(ADMITTED, new Admission(address));
            next.sessionCreated(session);
            return;
        }
        session.setAttribute(REFUSED, refusal);
        stats.increment(refusal.counter);
        refusals.warn("Refusing a connection from {}: {}", address == null ? "?" : address.getHostAddress(),
                refusal.reason);
        session.closeNow();
    }

    private Refusal admit(InetAddress address, long now) {
        if (address == null) {
            return takeTotal() ? null : Refusal.TOTAL;
        }
        Refusal[] refusal = new Refusal[1];
        sources.compute(address, (a, source) -> {
            if (source == null) {
                source = new Source(currentAttemptRate, now);
            }
            if (!source.attempts.tryTake(1, now)) {
                refusal[0] = Refusal.RATE;
            } else if (source.connections >= limits.maxConnectionsPerAddress()) {
                refusal[0] = Refusal.PER_ADDRESS;
            } else if (!takeTotal()) {
                refusal[0] = Refusal.TOTAL;
            } else {
                source.connections++;
            }
            return source;
        });
        return refusal[0];
    }

    private synchronized boolean takeTotal() {
        if (total >= limits.maxConnections()) {
            return false;
        }
        total++;
        return true;
    }

    private synchronized void releaseTotal() {
        total--;
    }

    @Override
    public void sessionClosed(NextFilter next, IoSession session) throws Exception {
        if (session.containsAttribute(REFUSED)) {
            return;
        }
        Admission admission = (Admission) session.getAttribute(ADMITTED);
        if (admission != null) {
            if (admission.address() != null) {
                sources.computeIfPresent(admission.address(), (a, source) -> {
                    source.connections--;
                    return source;
                });
            }
            releaseTotal();
        }
        next.sessionClosed(session);
    }

    /**
     * Forgets addresses with no connection whose attempt budget is full again, so the map holds
     * only recent sources. Called now and then from the server's timer.
     */
    public void forgetIdleSources() {
        long now = System.nanoTime();
        for (InetAddress address : sources.keySet()) {
            sources.computeIfPresent(address, (a, source) ->
                    source.connections == 0 && source.attempts.isFull(now) ? null : source);
        }
    }

    /** Connections admitted and not yet closed (tests, monitoring). */
    public synchronized int connections() {
        return total;
    }

    int knownSources() {
        return sources.size();
    }

    private static InetAddress addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    // A refused session is closing: none of its events goes further.

    @Override
    public void sessionOpened(NextFilter next, IoSession session) throws Exception {
        if (!session.containsAttribute(REFUSED)) {
            next.sessionOpened(session);
        }
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        if (!session.containsAttribute(REFUSED)) {
            next.messageReceived(session, message);
        }
    }

    @Override
    public void messageSent(NextFilter next, IoSession session, WriteRequest request) throws Exception {
        if (!session.containsAttribute(REFUSED)) {
            next.messageSent(session, request);
        }
    }

    @Override
    public void sessionIdle(NextFilter next, IoSession session, IdleStatus status) throws Exception {
        if (!session.containsAttribute(REFUSED)) {
            next.sessionIdle(session, status);
        }
    }

    @Override
    public void inputClosed(NextFilter next, IoSession session) throws Exception {
        if (!session.containsAttribute(REFUSED)) {
            next.inputClosed(session);
        }
    }

    @Override
    public void exceptionCaught(NextFilter next, IoSession session, Throwable cause) throws Exception {
        if (!session.containsAttribute(REFUSED)) {
            next.exceptionCaught(session, cause);
        }
    }

    @Override
    public void event(NextFilter next, IoSession session, org.apache.mina.filter.FilterEvent event) throws Exception {
        if (!session.containsAttribute(REFUSED)) {
            next.event(session, event);
        }
    }
}
