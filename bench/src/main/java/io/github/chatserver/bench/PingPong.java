package io.github.chatserver.bench;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * N connections in pairs; each pair keeps K one-to-one messages in flight: every message that
 * arrives is answered with one to the sender. Latency is one way, send to arrival. The frames
 * are encoded once per direction; replies to one read go out as one write.
 */
final class PingPong implements Scenario {
    private final List<Side> sides = new ArrayList<>();
    private volatile boolean running;
    private Metrics metrics;
    private BenchOptions o;

    @Override
    public void setup(LoadConnector lc, Target target, Metrics metrics, BenchOptions o) throws Exception {
        this.metrics = metrics;
        this.o = o;
        int n = o.connections(200);
        String run = Run.runId();
        for (int i = 0; i < n; i += 2) {
            Side a = new Side("pp" + run + "-" + i + "a", o.inflight);
            Side b = new Side("pp" + run + "-" + i + "b", o.inflight);
            a.peer = b;
            b.peer = a;
            sides.add(a);
            sides.add(b);
        }
        for (Side s : sides) {
            String text = Frames.text("pp " + s.user + " ", o.textSize);
            s.frame = lc.frames.encode(PbC2CTextChat.newBuilder().setFromUuid(s.user).setToUuid(s.peer.user)
                    .setTextMsg(text).setTimestamp(System.currentTimeMillis() / 1000).build());
            s.batch = Frames.repeat(s.frame, o.inflight);
            s.expectedText = text;
        }
        int ok = lc.connectAll(sides, Run.remote(target), null, 0, 30_000, null);
        if (ok < sides.size()) {
            throw new IllegalStateException((sides.size() - ok) + " of " + sides.size() + " connections could not log in"
                    + (sides.stream().map(s -> s.refusal).filter(java.util.Objects::nonNull).findFirst().map(r -> ": " + r).orElse("")));
        }
    }

    @Override
    public void start() {
        running = true;
        for (int i = 0; i < sides.size(); i += 2) {
            Side a = sides.get(i);
            Side b = sides.get(i + 1);
            a.send((o.inflight + 1) / 2);
            b.send(o.inflight / 2);
        }
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public long inFlight() {
        return PairSide.inFlight(sides);
    }

    @Override
    public void describe(Map<String, Object> config) {
        config.put("connections", sides.size());
        config.put("pairs", sides.size() / 2);
        config.put("inflight_per_pair", o.inflight);
    }

    /** One connection of a pair. */
    final class Side extends PairSide {
        String expectedText;
        private int toSend;

        Side(String user, int inflight) {
            super(user, inflight * 2 + 2);
        }

        void send(int n) {
            if (n <= 0) {
                return;
            }
            long now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (!times.push(now)) {
                    metrics.error("fifo_overflow");
                    n = i;
                    break;
                }
            }
            metrics.sent.add(n);
            write(batch, 0, frame.length * n);
        }

        @Override
        void onChat(int type, IoBuffer buf, int bodyStart, int bodyLength, long now) {
            if (!arrived(now, metrics)) {
                return;
            }
            if (o.verify) {
                verify(buf, bodyStart, bodyLength);
            }
            toSend++;
        }

        private void verify(IoBuffer buf, int bodyStart, int bodyLength) {
            try {
                Packet p = owner.frames.decode(5, buf, bodyStart, bodyLength);
                PbC2CTextChat m = p.body(PbC2CTextChat.class);
                if (!m.getFromUuid().equals(peer.user) || !m.getToUuid().equals(user) || !m.getTextMsg().equals(((Side) peer).expectedText)) {
                    metrics.error("wrong_message");
                }
            } catch (Exception e) {
                metrics.error("undecodable_text");
            }
        }

        @Override
        void onReadDone(long now) {
            int n = toSend;
            toSend = 0;
            if (n > 0 && running) {
                send(Math.min(n, o.inflight));
            }
        }
    }
}
