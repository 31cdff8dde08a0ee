package io.github.chatserver.bench;

import com.google.protobuf.Message;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyJoinGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;

/**
 * The baseline: a bare MINA relay of this protocol with none of the server's layers (no Redis,
 * no presence, no authentication, no offline storage, no overload protection). It logs in any
 * uuid, relays one-to-one texts to the recipient if it is connected here, and keeps groups in
 * memory (build, join, group text). It uses what was measured fast with MINA: raw
 * IoBuffers without a codec filter, one cipher per thread, and every frame for one recipient
 * gathered while handling one read and written as one buffer. Comparing a run against it shows
 * what the real server's layers cost.
 */
final class BaselineRelay implements AutoCloseable {
    private static final AttributeKey STATE = new AttributeKey(BaselineRelay.class, "state");

    private final NioSocketAcceptor acceptor;
    private final BodyCipher cipher;
    private final Map<String, IoSession> users = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> groups = new ConcurrentHashMap<>();
    private final AtomicLong groupIds = new AtomicLong();
    /** Frames gathered per recipient while one read is handled; one map per I/O thread. */
    private final ThreadLocal<Map<IoSession, List<byte[]>>> outbox = ThreadLocal.withInitial(IdentityHashMap::new);

    private BaselineRelay(BodyCipher cipher, int threads) {
        this.cipher = cipher;
        acceptor = new NioSocketAcceptor(threads);
        acceptor.setReuseAddress(true);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        acceptor.setHandler(new Handler());
    }

    static BaselineRelay start(String host, int port, BodyCipher cipher, int threads) throws IOException {
        BaselineRelay relay = new BaselineRelay(cipher, threads);
        relay.acceptor.bind(new InetSocketAddress(host, port));
        return relay;
    }

    int port() {
        return acceptor.getLocalAddress().getPort();
    }

    BodyCipher cipher() {
        return cipher;
    }

    @Override
    public void close() {
        acceptor.unbind();
        acceptor.dispose(true);
    }

    private static final class State {
        String user;
        byte[] carry = new byte[0];
    }

    private final class Handler extends IoHandlerAdapter {
        @Override
        public void sessionCreated(IoSession session) {
            session.setAttribute(STATE, new State());
        }

        @Override
        public void messageReceived(IoSession session, Object message) throws Exception {
            State st = (State) session.getAttribute(STATE);
            IoBuffer in = (IoBuffer) message;
            byte[] data;
            if (st.carry.length > 0) {
                data = new byte[st.carry.length + in.remaining()];
                System.arraycopy(st.carry, 0, data, 0, st.carry.length);
                in.get(data, st.carry.length, in.remaining());
            } else {
                data = new byte[in.remaining()];
                in.get(data);
            }
            int at = 0;
            Map<IoSession, List<byte[]>> out = outbox.get();
            while (data.length - at >= Frames.HEADER) {
                int length = Frames.getInt(data, at);
                if (length < Frames.HEADER || length > 65536) {
                    session.closeNow();
                    return;
                }
                if (data.length - at < length) {
                    break;
                }
                handle(session, st, Frames.getInt(data, at + 4), data, at + Frames.HEADER, length - Frames.HEADER, out);
                at += length;
            }
            st.carry = at == data.length ? new byte[0] : java.util.Arrays.copyOfRange(data, at, data.length);
            for (Map.Entry<IoSession, List<byte[]>> e : out.entrySet()) {
                List<byte[]> frames = e.getValue();
                e.getKey().write(IoBuffer.wrap(frames.size() == 1 ? frames.get(0) : Frames.concat(frames)));
            }
            out.clear();
        }

        @Override
        public void sessionClosed(IoSession session) {
            State st = (State) session.getAttribute(STATE);
            if (st != null && st.user != null) {
                users.remove(st.user, session);
            }
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            session.closeNow();
        }
    }

    private void handle(IoSession session, State st, int type, byte[] data, int at, int len,
                        Map<IoSession, List<byte[]>> out) throws Exception {
        PacketType t = PacketType.ofCode(type);
        if (t == null) {
            return;
        }
        byte[] body = cipher.decrypt(java.util.Arrays.copyOfRange(data, at, at + len));
        long now = System.currentTimeMillis() / 1000;
        switch (t) {
            case CLIENT_LOGIN -> {
                PbClientLogin login = PbClientLogin.parseFrom(body);
                st.user = login.getUuid();
                IoSession old = users.put(st.user, session);
                if (old != null && old != session) {
                    old.closeNow();
                }
                queue(out, session, PbServerAcceptLogin.newBuilder().setLogin(true).setTipsMsg("baseline")
                        .setTimestamp(now).build());
            }
            case CLIENT_LOGOUT -> session.closeOnFlush();
            case C2C_TEXT_CHAT -> {
                PbC2CTextChat m = PbC2CTextChat.parseFrom(body);
                IoSession to = users.get(m.getToUuid());
                if (to != null && st.user != null) {
                    queue(out, to, m.toBuilder().setFromUuid(st.user).setTimestamp(now).build());
                }
            }
            case CLIENT_BUILD_GROUP -> {
                PbClientBuildGroup m = PbClientBuildGroup.parseFrom(body);
                String id = String.format("baseline-group-%07d", groupIds.incrementAndGet());
                Set<String> members = ConcurrentHashMap.newKeySet();
                members.add(st.user);
                groups.put(id, members);
                queue(out, session, PbServerNotifyBuildGroup.newBuilder().setBuild(true).setGroupId(id)
                        .setGroupName(m.getGroupName()).setOwnerUuid(st.user).setTimestamp(now).build());
            }
            case CLIENT_JOIN_GROUP -> {
                PbClientJoinGroup m = PbClientJoinGroup.parseFrom(body);
                Set<String> members = groups.get(m.getGroupId());
                if (members != null) {
                    members.add(st.user);
                    queue(out, session, PbServerNotifyJoinGroup.newBuilder().setApplicantUuid(st.user)
                            .setGroupId(m.getGroupId()).setGroupName("").setTimestamp(now).build());
                }
            }
            case GROUP_TEXT_CHAT -> {
                PbGroupTextChat m = PbGroupTextChat.parseFrom(body);
                Set<String> members = groups.get(m.getGroupId());
                if (members != null && members.contains(st.user)) {
                    byte[] frame = frame(m.toBuilder().setFromUuid(st.user).setTimestamp(now).build()); // encrypted once
                    for (String member : members) {
                        IoSession to = member.equals(st.user) ? null : users.get(member);
                        if (to != null) {
                            out.computeIfAbsent(to, k -> new ArrayList<>(4)).add(frame);
                        }
                    }
                }
            }
            default -> {
                // ping and everything else: nothing to do
            }
        }
    }

    private void queue(Map<IoSession, List<byte[]>> out, IoSession to, Message m) {
        out.computeIfAbsent(to, k -> new ArrayList<>(4)).add(frame(m));
    }

    private byte[] frame(Message m) {
        byte[] enc = cipher.encrypt(m.toByteArray());
        byte[] f = new byte[Frames.HEADER + enc.length];
        Frames.putInt(f, 0, f.length);
        Frames.putInt(f, 4, PacketType.of(m).code());
        System.arraycopy(enc, 0, f, Frames.HEADER, enc.length);
        return f;
    }
}
