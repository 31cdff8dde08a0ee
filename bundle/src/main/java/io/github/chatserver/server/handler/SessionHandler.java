package io.github.chatserver.server.handler;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.server.stats.ServerStats.Counter;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login (1), logout (3) and ping (4): the life of a session. A login claims the user's presence
 * in Redis (asynchronously), closes any older session of the same user, and only then answers.
 */
public final class SessionHandler implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);

    private final ServerContext context;
    private final Consumer<IoSession> afterLogin;

    /** @param afterLogin runs right after a successful login answer (e.g. pushes stored messages) */
    SessionHandler(ServerContext context, Consumer<IoSession> afterLogin) {
        this.context = context;
        this.afterLogin = afterLogin;
    }

    /** Starts the login clock of a new connection. */
    void opened(IoSession session) {
        ClientState state = ClientState.of(session);
        state.loginTimeout(context.timers().schedule(() -> {
            if (state.user() == null && session.isConnected()) {
                context.stats().increment(Counter.LOGIN_TIMEOUTS);
                LOG.debug("Closing {}: no login within {}", session.getRemoteAddress(), context.settings().loginTimeout());
                session.closeNow();
            }
        }, context.settings().loginTimeout().toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public CompletionStage<?> handle(IoSession session, Packet packet) {
        switch (packet.type()) {
            case CLIENT_LOGIN:
                return login(session, packet.body(PbClientLogin.class));
            case CLIENT_LOGOUT:
                session.closeOnFlush();
                return DONE;
            case CLIENT_PING:
                return DONE; // any packet resets the idle timer; a ping has nothing else to do
            default:
                throw new IllegalArgumentException("Not a session packet: " + packet.type());
        }
    }

    private CompletionStage<?> login(IoSession session, PbClientLogin login) {
        ClientState state = ClientState.of(session);
        if (!state.beginLogin()) {
            refuse(session, "already logged in on this connection");
            return DONE;
        }
        String uuid = login.getUuid();
        if (!Identity.isWellFormed(uuid, context.settings().limits().maxUuidLength())) {
            refuse(session, "invalid uuid");
            return DONE;
        }
        String marker = context.store().presence().markerFor(session.getId());
        return context.store().presence().claim(uuid, marker).whenComplete((previous, failure) -> {
            if (failure != null) {
                context.stats().increment(Counter.REDIS_ERRORS);
                LOG.warn("Login of '{}' refused: Redis is unavailable ({})", uuid, failure.toString());
                refuse(session, "service temporarily unavailable, try again later");
                return;
            }
            if (!session.isConnected()) {
                context.store().presence().release(uuid, marker);
                return;
            }
            state.activate(uuid, marker);
            context.stats().increment(Counter.LOGINS_OK);
            // Registered (where senders find it) and answered under the session's write lock: a
            // message another thread routes to it as soon as it is registered is queued after the
            // answer, never before, and once the client has its answer the session is reachable.
            TrackedWrites.exclusively(session, () -> {
                context.sessions().register(uuid, session).ifPresent(older -> {
                    context.stats().increment(Counter.SESSIONS_KICKED);
                    LOG.info("'{}' logged in again from {}: closing the older session from {}",
                            uuid, session.getRemoteAddress(), older.getRemoteAddress());
                    older.closeNow();
                });
                session.write(Packet.of(PbServerAcceptLogin.newBuilder()
                        .setLogin(true).setTipsMsg("login ok").setTimestamp(ServerContext.now()).build()));
            });
            afterLogin.accept(session);
        });
    }

    private void refuse(IoSession session, String reason) {
        context.stats().increment(Counter.LOGINS_REFUSED);
        ClientState.of(session).cancelLoginTimeout();
        session.write(Packet.of(PbServerAcceptLogin.newBuilder()
                .setLogin(false).setTipsMsg(reason).setTimestamp(ServerContext.now()).build()));
        session.closeOnFlush();
    }

    /** Forgets a closed session: its registry entry and its presence, if they are still its own. */
    void closed(IoSession session) {
        ClientState state = ClientState.of(session);
        state.cancelLoginTimeout();
        String user = state.user();
        if (user != null) {
            context.sessions().unregister(user, session);
            context.store().presence().release(user, state.presenceMarker()).whenComplete((removed, failure) -> {
                if (failure != null) {
                    context.stats().increment(Counter.REDIS_ERRORS);
                    LOG.warn("Could not clear the presence of '{}': {}", user, failure.toString());
                }
            });
        }
    }
}
