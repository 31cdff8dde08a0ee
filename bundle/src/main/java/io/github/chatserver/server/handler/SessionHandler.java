package io.github.chatserver.server.handler;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.server.auth.Authenticator;
import io.github.chatserver.server.auth.LoginBackoff;
import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.stats.ThrottledLog;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login (1), logout (3) and ping (4): the life of a session. A login is checked by the
 * {@link Authenticator} of the configured authMode (a password on the hashing threads, a token
 * at once), then claims the user's presence in Redis (asynchronously), closes any older session
 * of the same user, and only then answers. A failed check is answered "invalid credentials",
 * later the more often its address failed recently ({@link LoginBackoff}), then closed.
 */
public final class SessionHandler implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);

    /** The one answer to every credential failure: it never says which part was wrong. */
    static final String INVALID_CREDENTIALS = "invalid credentials";

    private final ServerContext context;
    private final Consumer<IoSession> afterLogin;
    private final Authenticator authenticator;
    private volatile LoginBackoff backoff;
    private final ThrottledLog failureLog = new ThrottledLog(LOG, 20);

    /** @param afterLogin runs right after a successful login answer (e.g. pushes stored messages) */
    SessionHandler(ServerContext context, Consumer<IoSession> afterLogin) {
        this.context = context;
        this.afterLogin = afterLogin;
        AuthSettings auth = context.settings().auth();
        this.authenticator = Authenticator.forSettings(auth, context.store().users());
        this.backoff = new LoginBackoff(auth.failureDelay(), auth.maxFailureDelay());
        if (!auth.open()) {
            long period = LoginBackoff.FORGET_AFTER.toMillis();
            context.timers().scheduleWithFixedDelay(() -> backoff.prune(), period, period, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Takes new failure delays (live reconfiguration). The failures counted so far are forgotten:
     * at worst an address gets the shorter first delay once more.
     */
    void updateBackoff(AuthSettings auth) {
        backoff = new LoginBackoff(auth.failureDelay(), auth.maxFailureDelay());
    }

    /** Starts the login clock of a new connection. */
    void opened(IoSession session) {
        authenticator.followLifeOf(session.getService());
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
        // The raw bytes first: protobuf would turn invalid UTF-8 into another, valid name.
        String problem = UuidRule.problem(login.getUuidBytes(), context.settings().limits().maxUuidLength());
        if (problem != null) {
            refuse(session, "invalid uuid: " + problem);
            return DONE;
        }
        String uuid = login.getUuid();
        CompletableFuture<Void> answered = new CompletableFuture<>();
        authenticator.authenticate(uuid, login.getToken(), session::isConnected).whenComplete((verdict, failure) -> {
            try {
                if (failure != null) {
                    cannotCheck(session, uuid, failure);
                    answered.complete(null);
                } else if (!verdict.accepted()) {
                    failed(session, uuid, verdict.detail(), answered);
                } else {
                    admit(session, state, uuid).whenComplete((ignored, f) -> answered.complete(null));
                }
            } catch (RuntimeException e) {
                LOG.error("Unexpected error answering the login of '{}'", uuid, e);
                session.closeNow();
                answered.complete(null);
            }
        });
        return answered;
    }

    /** The check could not be made: the client left, too many checks wait, or Redis failed. */
    private void cannotCheck(IoSession session, String uuid, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CancellationException) {
            return; // the connection is gone
        }
        if (cause instanceof RejectedExecutionException) {
            context.stats().increment(Counter.LOGINS_BUSY);
            LOG.debug("Login of '{}' refused: too many password checks waiting", uuid);
            refuse(session, "server busy, try again later");
            return;
        }
        context.stats().increment(Counter.REDIS_ERRORS);
        LOG.warn("Login of '{}' refused: Redis is unavailable ({})", uuid, cause.toString());
        refuse(session, "service temporarily unavailable, try again later");
    }

    /**
     * Wrong credentials: the same generic answer whatever was wrong, sent later the more often the
     * address failed recently (on the timer thread, nothing waits), then the connection is closed.
     */
    private void failed(IoSession session, String uuid, String detail, CompletableFuture<Void> answered) {
        context.stats().increment(Counter.LOGINS_FAILED_AUTH);
        Duration delay = backoff.failed(addressOf(session));
        failureLog.warn("Failed login of '{}' from {} ({}); answering in {} ms", uuid, session.getRemoteAddress(),
                detail, delay.toMillis());
        if (delay.isZero()) {
            refuse(session, INVALID_CREDENTIALS);
            answered.complete(null);
            return;
        }
        context.stats().increment(Counter.LOGIN_DELAYS);
        try {
            context.timers().schedule(() -> {
                refuse(session, INVALID_CREDENTIALS);
                answered.complete(null);
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            session.closeNow(); // the server is stopping
            answered.complete(null);
        }
    }

    /** The check said yes: claims the user's presence, closes an older session, answers. */
    private CompletionStage<?> admit(IoSession session, ClientState state, String uuid) {
        String marker = context.store().presence().markerFor(session.getId());
        return authenticator.admitted(uuid)
                .thenCompose(ignored -> context.store().presence().claim(uuid, marker))
                .whenComplete((previous, failure) -> {
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
                    // Registered (where senders find it) and answered under the session's write lock:
                    // a message another thread routes to it as soon as it is registered is queued
                    // after the answer, never before, and once the client has its answer the session
                    // is reachable.
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

    /** The source address of a connection, without the port: failures are counted per address. */
    private static String addressOf(IoSession session) {
        SocketAddress remote = session.getRemoteAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(remote);
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
