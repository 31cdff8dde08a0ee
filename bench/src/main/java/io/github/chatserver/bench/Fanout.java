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
import org.apache.mina.core.buffer.IoBuffer;

/**
 * One sender, a group of M members, group texts at a fixed rate. Every member receives every
 * text in send order, so the n-th arrival at a member is the n-th text: its latency is arrival
 * minus that text's intended send time. Throughput counts deliveries (texts x members).
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

    @Override
    public void setup(LoadConnector lc, Target target, Metrics metrics, BenchOptions o) throws Exception {
        this.metrics = metrics;
        this.rate = o.rate(200);
        int cap = Integer.highestOneBit((int) Math.min(1 << 22, Math.max(1024, rate * 10))) << 1;
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
        byte[] frame = lc.frames.encode(PbGroupTextChat.newBuilder().setFromUuid(sender.user).setGroupId(groupId)
                .setTextMsg(Frames.text("fo ", o.textSize)).setTimestamp(now).build());
        frameLength = frame.length;
        batch = Frames.repeat(frame, MAX_BATCH);
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
        config.put("offered_group_messages_per_s", rate);
        config.put("offered_deliveries_per_s", rate * members.size());
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
        }
    }
}
