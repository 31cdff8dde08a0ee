package io.github.chatserver.bench;

import io.github.chatserver.protocol.PbC2CTextChat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * Pairs of connections at a fixed offered rate (open loop): messages go round-robin over every
 * connection to its peer, each with its intended send time; latency is arrival minus intended
 * time, so a stalled server or generator shows up as latency instead of silently slowing the
 * offered load.
 */
final class OpenLoop implements Scenario {
    private static final int MAX_BATCH = 64;

    private final List<Side> sides = new ArrayList<>();
    private Metrics metrics;
    private BenchOptions o;
    private Pacer pacer;
    private double rate;
    private int backlog;

    @Override
    public void setup(LoadConnector lc, Target target, Metrics metrics, BenchOptions o) throws Exception {
        this.metrics = metrics;
        this.o = o;
        this.rate = o.rate(20_000);
        int n = o.connections(200);
        backlog = (int) Math.min(1 << 20, Math.max(1024, rate * 5 / n));
        String run = Run.runId();
        for (int i = 0; i < n; i += 2) {
            Side a = new Side("ol" + run + "-" + i + "a");
            Side b = new Side("ol" + run + "-" + i + "b");
            a.peer = b;
            b.peer = a;
            sides.add(a);
            sides.add(b);
        }
        for (Side s : sides) {
            s.frame = lc.frames.encode(PbC2CTextChat.newBuilder().setFromUuid(s.user).setToUuid(s.peer.user)
                    .setTextMsg(Frames.text("ol " + s.user + " ", o.textSize)).setTimestamp(System.currentTimeMillis() / 1000).build());
            s.batch = Frames.repeat(s.frame, MAX_BATCH);
        }
        int ok = lc.connectAll(sides, Run.remote(target), null, 0, 30_000, null);
        if (ok < sides.size()) {
            throw new IllegalStateException((sides.size() - ok) + " of " + sides.size() + " connections could not log in");
        }
        int[] pending = new int[sides.size()];
        int[] touched = new int[sides.size()];
        int[] touchedCount = {0};
        pacer = new Pacer(rate, new Pacer.Sink() {
            @Override
            public boolean offer(long j, long intended) {
                int idx = (int) (j % sides.size());
                Side s = sides.get(idx);
                if (!s.times.push(intended)) {
                    metrics.error("backlog_full");
                    return true; // dropped, counted: the server is over 5 s behind on this connection
                }
                if (pending[idx]++ == 0) {
                    touched[touchedCount[0]++] = idx;
                }
                return true;
            }

            @Override
            public void flush() {
                for (int t = 0; t < touchedCount[0]; t++) {
                    int idx = touched[t];
                    Side s = sides.get(idx);
                    int n = pending[idx];
                    pending[idx] = 0;
                    metrics.sent.add(n);
                    while (n > 0) {
                        int k = Math.min(n, MAX_BATCH);
                        s.write(s.batch, 0, k * s.frame.length);
                        n -= k;
                    }
                }
                touchedCount[0] = 0;
            }
        }, metrics);
    }

    @Override
    public void start() {
        pacer.start("bench-pacer");
    }

    @Override
    public void stop() {
        pacer.stop();
    }

    @Override
    public long inFlight() {
        return PairSide.inFlight(sides);
    }

    @Override
    public void describe(Map<String, Object> config) {
        config.put("connections", sides.size());
        config.put("offered_rate_per_s", rate);
        config.put("backlog_per_connection", backlog);
    }

    @Override
    public String progress() {
        return "in flight " + inFlight();
    }

    final class Side extends PairSide {
        Side(String user) {
            super(user, backlog);
        }

        @Override
        void onChat(int type, IoBuffer buf, int bodyStart, int bodyLength, long now) {
            arrived(now, metrics);
        }
    }
}
