package io.github.chatserver.bench;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientRequestGroupInfo;
import io.github.chatserver.protocol.PbGroupInfo;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerResponseGroupInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * One sender, a group of M members, group texts at a fixed rate, or in a closed loop with
 * {@code --rate 0}: K texts in flight ({@code --inflight}), the next one sent when every member
 * has one. Every member receives every text in send order, so the n-th arrival at a member is the
 * n-th text: its latency is arrival minus that text's intended (open) or actual (closed loop) send
 * time. Throughput counts deliveries (texts x members).
 */
final class Fanout implements Scenario {
    private static final int MAX_BATCH = 64;

    private Conn sender;
    private final List<Member> members = new ArrayList<>();
    private Metrics metrics;
    private double rate;
    private long[] sendTimes;
    private int mask;
    private volatile long published;
    private Pacer pacer;
    private byte[] batch;
    private int frameLength;
    private int pending;
    private long stalls;
    private String groupId;
    private int inflight;
    private volatile boolean running;
    /** Closed loop: per text in flight, how many members have it (its slot is reused K texts later). */
    private AtomicIntegerArray arrivals;
    private byte[] frame;

    @Override
    public void setup(LoadConnector lc, Target target, Metrics metrics, BenchOptions o) throws Exception {
        this.metrics = metrics;
        this.rate = o.rate(200);
        this.inflight = o.inflight;
        int cap = Integer.highestOneBit((int) Math.min(1 << 22, Math.max(1024, Math.max(rate * 10, inflight)))) << 1;
        sendTimes = new long[cap];
        mask = cap - 1;
        String run = Run.runId();
        sender = new Conn("fo" + run + "-sender");
        sender.captureControl();
        for (int i = 0; i < o.members; i++) {
            members.add(new Member("fo" + run + "-m" + i));
        }
        List<Conn> all = new ArrayList<>();
        all.add(sender);
        all.addAll(members);
        int ok = lc.connectAll(all, Run.remote(target), null, 0, 60_000, null);
        if (ok < all.size()) {
            throw new IllegalStateException((all.size() - ok) + " of " + all.size() + " connections could not log in");
        }
        long now = System.currentTimeMillis() / 1000;
        sender.write(lc.frames.encode(PbClientBuildGroup.newBuilder().setGroupName("bench " + run).setTimestamp(now).build()));
        PbServerNotifyBuildGroup built = sender.await(PbServerNotifyBuildGroup.class, 10_000);
        if (!built.getBuild()) {
            throw new IllegalStateException("the server did not build the group: " + built.getTipsMsg());
        }
        groupId = built.getGroupId();
        for (Member m : members) {
            m.write(lc.frames.encode(PbClientJoinGroup.newBuilder().setFromUuid(m.user).setGroupId(groupId)
                    .setTimestamp(now).build()));
        }
        byte[] info = lc.frames.encode(PbClientRequestGroupInfo.newBuilder().setFromUuid(sender.user).setTimestamp(now).build());
        long deadline = System.nanoTime() + 120_000_000_000L;
        int joined = 0;
        while (joined < members.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + joined + " of " + members.size() + " members joined within 120 s");
            }
            Thread.sleep(200);
            sender.write(info);
            PbServerResponseGroupInfo answer = sender.await(PbServerResponseGroupInfo.class, 30_000);
            joined = answer.getAllGroupInfoList().stream().filter(g -> g.getGroupId().equals(groupId))
                    .mapToInt(PbGroupInfo::getMemberUuidCount).findFirst().orElse(0);
        }
        sender.control = null;
        sender.ignoreControl = true;
        frame = lc.frames.encode(PbGroupTextChat.newBuilder().setFromUuid(sender.user).setGroupId(groupId)
                .setTextMsg(Frames.text("fo ", o.textSize)).setTimestamp(now).build());
        frameLength = frame.length;
        batch = Frames.repeat(frame, MAX_BATCH);
        if (closedLoop()) {
            arrivals = new AtomicIntegerArray(cap);
            return;
        }
        pacer = new Pacer(rate, new Pacer.Sink() {
            private long slowest;

            @Override
            public boolean offer(long j, long intended) {
                if (j - slowest >= sendTimes.length) {
                    slowest = slowestMember();
                    if (j - slowest >= sendTimes.length) {
                        stalls++;
                        return false; // a member is 10 s behind: wait (latency still counts from the intended time)
                    }
                }
                sendTimes[(int) (j & mask)] = intended;
                published = j + 1;
                pending++;
                return true;
            }

            @Override
            public void flush() {
                int n = pending;
                pending = 0;
                metrics.sent.add(n);
                while (n > 0) {
                    int k = Math.min(n, MAX_BATCH);
                    sender.write(batch, 0, k * frameLength);
                    n -= k;
                }
            }
        }, metrics);
    }

    private long slowestMember() {
        long min = Long.MAX_VALUE;
        for (Member m : members) {
            min = Math.min(min, m.next);
        }
        return min;
    }

    private boolean closedLoop() {
        return rate == 0;
    }

    /**
     * Closed loop: sends the next {@code n} texts. Numbering, send time and write happen under one
     * lock, so the texts leave in the order of their numbers whichever I/O thread completes one.
     */
    private synchronized void sendNext(int n) {
        long now = System.nanoTime();
        long j = published;
        for (int i = 0; i < n; i++) {
            sendTimes[(int) ((j + i) & mask)] = now;
        }
        published = j + n;
        metrics.sent.add(n);
        for (int left = n; left > 0; left -= MAX_BATCH) {
            sender.write(batch, 0, Math.min(left, MAX_BATCH) * frameLength);
        }
    }

    /** Closed loop: a member has text {@code seq}; the last member to get it releases the next text. */
    private void arrived(long seq) {
        int slot = (int) (seq & mask);
        if (arrivals.incrementAndGet(slot) == members.size()) {
            arrivals.set(slot, 0);
            if (running) {
                sendNext(1);
            }
        }
    }

    @Override
    public void start() {
        running = true;
        if (closedLoop()) {
            sendNext(inflight);
        } else {
            pacer.start("bench-pacer");
        }
    }

    @Override
    public void stop() {
        running = false;
        if (pacer != null) {
            pacer.stop();
        }
    }

    @Override
    public long inFlight() {
        long p = published;
        long n = 0;
        for (Member m : members) {
            n += p - m.next;
        }
        return n;
    }

    @Override
    public void describe(Map<String, Object> config) {
        config.put("members", members.size());
        if (closedLoop()) {
            config.put("closed_loop_inflight", inflight);
        } else {
            config.put("offered_group_messages_per_s", rate);
            config.put("offered_deliveries_per_s", rate * members.size());
        }
    }

    @Override
    public void results(Map<String, Object> results) {
        results.put("group_id", groupId);
        results.put("group_messages_sent", published);
        results.put("sender_stalls", stalls);
    }

    @Override
    public String progress() {
        return "in flight " + inFlight();
    }

    final class Member extends Conn {
        volatile long next;

        Member(String user) {
            super(user);
            ignoreControl = true; // join notices of the others
        }

        @Override
        void onChat(int type, IoBuffer buf, int bodyStart, int bodyLength, long now) {
            long seq = next;
            if (type != 8 || seq >= published) {
                metrics.error("unexpected_text");
                return;
            }
            next = seq + 1;
            metrics.latencyNanos(now - sendTimes[(int) (seq & mask)]);
            metrics.delivered.increment();
            if (arrivals != null) {
                arrived(seq);
            }
        }
    }
}
