package io.github.chatserver.server.handler;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.codec.UnknownPacket;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.server.stats.ThrottledLog;
import java.io.IOException;
import java.util.EnumMap;
import java.util.concurrent.CompletionStage;
import java.util.Map;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolDecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's MINA handler: session events and dispatch by packet type to the handler of that
 * packet's family. It enforces what holds for every packet: nothing but a login is acted on
 * before login, and any protocol violation closes the connection that made it, and only it.
 */
public final class ChatIoHandler extends IoHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ChatIoHandler.class);

    private final ServerContext context;
    private final SessionHandler sessionHandler;
    private final Map<PacketType, PacketHandler> routes = new EnumMap<>(PacketType.class);
    private final ThrottledLog violationLog = new ThrottledLog(LOG, 20);

    public ChatIoHandler(ServerContext context) {
        this.context = context;
        context.store().retries().start(context.timers(), context.stats()); // retries run on the server's timer
        OfflineHandler offline = new OfflineHandler(context);
        this.sessionHandler = new SessionHandler(context, session -> {
            if (context.settings().offline().pushOnLogin()) {
                offline.deliver(session, OfflineStore.Kind.C2C);
                offline.deliver(session, OfflineStore.Kind.GROUP);
            }
        });
        Outbox outbox = new Outbox(context);
        GroupHandler groups = new GroupHandler(context);
        routes.put(PacketType.CLIENT_LOGIN, sessionHandler);
        routes.put(PacketType.CLIENT_LOGOUT, sessionHandler);
        routes.put(PacketType.CLIENT_PING, sessionHandler);
        routes.put(PacketType.C2C_TEXT_CHAT, new C2CHandler(context, outbox));
        routes.put(PacketType.CLIENT_REQUEST_C2C_OFFLINE_MSG, offline);
        routes.put(PacketType.CLIENT_REQUEST_GROUP_OFFLINE_MSG, offline);
        routes.put(PacketType.CLIENT_REQUEST_GROUP_INFO, groups);
        routes.put(PacketType.CLIENT_BUILD_GROUP, groups);
        routes.put(PacketType.CLIENT_DISBAND_GROUP, groups);
        routes.put(PacketType.CLIENT_JOIN_GROUP, groups);
        routes.put(PacketType.CLIENT_LEAVE_GROUP, groups);
        routes.put(PacketType.GROUP_TEXT_CHAT, new GroupChatHandler(context, outbox, groups));
    }

    /**
     * Applies settings that need no rebind ({@link ServerSettings#appliesInPlace}): sessions opened
     * from now on use them; connected sessions stay connected.
     */
    public void reconfigure(ServerSettings next) {
        ServerSettings previous = context.settings();
        context.replaceSettings(next);
        if (!previous.auth().equals(next.auth())) {
            sessionHandler.updateBackoff(next.auth());
        }
    }

    @Override
    public void sessionCreated(IoSession session) {
        context.stats().increment(Counter.CONNECTIONS_ACCEPTED);
        context.stats().connectionOpened();
        session.getConfig().setReaderIdleTime((int) Math.max(1, context.settings().idleTimeout().toSeconds()));
    }

    @Override
    public void sessionOpened(IoSession session) {
        sessionHandler.opened(session);
    }

    /** Every packet is handled in arrival order, after the previous one's handling completed. */
    @Override
    public void messageReceived(IoSession session, Object message) {
        ClientState state = ClientState.of(session);
        state.packetReceived();
        state.inOrder(session, () -> handle(session, state, message));
    }

    private CompletionStage<?> handle(IoSession session, ClientState state, Object message) {
        if (session.isClosing()) {
            return PacketHandler.DONE; // e.g. behind a violation: nothing more is acted on
        }
        if (message instanceof UnknownPacket unknown) {
            if (state.user() != null) {
                context.stats().increment(Counter.UNKNOWN_PACKETS);
                LOG.debug("Ignoring unknown packet type {} from '{}'", unknown.typeCode(), state.user());
            } else {
                context.stats().increment(Counter.PRE_LOGIN_DROPPED);
            }
            return PacketHandler.DONE;
        }
        Packet packet = (Packet) message;
        if (packet.type() != PacketType.CLIENT_LOGIN && state.user() == null) {
            context.stats().increment(Counter.PRE_LOGIN_DROPPED);
            return PacketHandler.DONE;
        }
        PacketHandler handler = routes.get(packet.type());
        if (handler == null) {
            // A known type that clients do not send (a server-to-client type): ignored and counted.
            context.stats().increment(Counter.UNKNOWN_PACKETS);
            return PacketHandler.DONE;
        }
        try {
            return handler.handle(session, packet);
        } catch (ProtocolViolation v) {
            exceptionCaught(session, v);
            return PacketHandler.DONE;
        }
    }

    @Override
    public void sessionIdle(IoSession session, IdleStatus status) {
        context.stats().increment(Counter.IDLE_CLOSED);
        LOG.debug("Closing idle session {}", session.getRemoteAddress());
        session.closeNow();
    }

    @Override
    public void exceptionCaught(IoSession session, Throwable cause) {
        if (cause instanceof ProtocolViolation violation) {
            violation(session, violation.kind(), violation.reason());
        } else if (cause instanceof ProtocolDecoderException decoder) {
            // Not ours (MINA's own); its message carries a hex dump, so log only the cause's type.
            violation(session, ProtocolViolation.Kind.MALFORMED_BODY, "undecodable input: "
                    + (decoder.getCause() == null ? "decoder error" : decoder.getCause().getClass().getSimpleName()));
        } else if (cause instanceof IOException) {
            LOG.debug("I/O error on {}: {}", session.getRemoteAddress(), cause.toString());
            session.closeNow();
        } else {
            LOG.error("Unexpected error on {}; closing it", session.getRemoteAddress(), cause);
            session.closeNow();
        }
    }

    private void violation(IoSession session, ProtocolViolation.Kind kind, String message) {
        context.stats().violation(kind);
        violationLog.warn("Protocol violation ({}) from {} user '{}': {}; closing the connection",
                kind, session.getRemoteAddress(), ClientState.of(session).user(), message);
        session.closeNow();
    }

    @Override
    public void messageSent(IoSession session, Object message) {
        TrackedWrites.messageSent(session, message);
    }

    @Override
    public void sessionClosed(IoSession session) {
        try {
            TrackedWrites.sessionClosed(session);
            sessionHandler.closed(session);
        } finally {
            context.stats().connectionClosed();
        }
    }
}
