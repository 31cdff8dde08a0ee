package io.github.chatserver.server.transport;

import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.stats.ThrottledLog;
import java.net.InetSocketAddress;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MINA's {@link SslFilter} as the server needs it: server mode, only the configured protocol
 * versions, the handshake started when the session opens (a connection refused on accept never
 * gets an engine), no reverse DNS lookup per connection, and a failed handshake or record (a
 * plain client on the TLS port, say) counted, logged without flooding, and closed here.
 */
public final class TlsFilter extends SslFilter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsFilter.class);

    private final ServerStats stats;
    private final ThrottledLog failures = new ThrottledLog(LOG, 20);

    public TlsFilter(SSLContext context, List<String> protocols, ServerStats stats) {
        super(context, false);
        this.stats = stats;
        setEnabledProtocols(protocols.toArray(String[]::new));
    }

    /** The base class passes {@code getHostName()}, a reverse lookup on the I/O thread; a server needs no peer name. */
    @Override
    protected SSLEngine createEngine(IoSession session, InetSocketAddress peer) {
        SSLEngine engine = sslContext.createSSLEngine();
        engine.setEnabledProtocols(enabledProtocols);
        engine.setUseClientMode(false);
        return engine;
    }

    /**
     * MINA's {@code SslFilter.sessionClosed} ends the engine first and passes the event on only if
     * that worked; after a failed handshake it throws, and the handler would never hear that the
     * connection closed (its count, presence and pending writes would leak). The event goes on
     * whatever the engine says.
     */
    @Override
    public void sessionClosed(NextFilter next, IoSession session) throws Exception {
        try {
            super.sessionClosed(next, session);
        } catch (Exception engineFailure) {
            LOG.debug("TLS engine of {} failed at close: {}", session.getRemoteAddress(), engineFailure.toString());
            next.sessionClosed(session);
        }
    }

    @Override
    public void exceptionCaught(NextFilter next, IoSession session, Throwable cause) {
        SSLException tls = tlsFailure(cause);
        if (tls == null) {
            next.exceptionCaught(session, cause);
            return;
        }
        if (!session.isClosing()) {
            stats.increment(Counter.TLS_FAILURES);
            failures.warn("TLS failure on the connection from {}: {}; closing it", session.getRemoteAddress(),
                    tls.getMessage());
            session.closeNow();
        }
    }

    private static SSLException tlsFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException ssl) {
                return ssl;
            }
        }
        return null;
    }
}
