package io.github.chatserver.bench;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientLogout;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import java.io.PrintStream;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * Store, then fetch: U senders each send M numbered messages to a recipient who has never
 * logged in (so the server stores them), then log out; the store phase ends when the server has
 * handled every sender's packets (it closes the connection on the logout, which it handles after
 * the texts) and, where the generator can see it, Redis holds every message (the in-process
 * server's counter, or the recipients' queues in an external server's Redis given by --redis). Then the U recipients log in and request their stored messages; each one is
 * checked for order, gaps and duplicates. Latency is from the recipient's request to the
 * arrival of each message.
 */
final class Offline {
    private Offline() {
    }

    static Map<String, Object> run(BenchOptions o, Target target, PrintStream progress) throws Exception {
        if (!target.storesOffline()) {
            throw new IllegalArgumentException("the baseline relay stores nothing: offline mode needs a real server");
        }
        int u = o.users;
        int m = o.messages;
        Metrics metrics = new Metrics();
        String startedAt = OffsetDateTime.now().toString();
        String run = Run.runId();
        List<Conn> senders = new ArrayList<>();
        List<Recipient> recipients = new ArrayList<>();
        for (int i = 0; i < u; i++) {
            senders.add(new Conn("of" + run + "-s" + i));
            recipients.add(new Recipient("of" + run + "-r" + i, m, metrics));
        }
        long storeNanos;
        long fetchNanos;
        long received;
        int rerequests = 0;
        long storedInRedis;
        try (LoadConnector lc = new LoadConnector(o.ioThreads, new Frames(target.cipher()), metrics)) {
            for (Conn s : senders) {
                s.ignoreControl = true;
            }
            int ok = lc.connectAll(senders, Run.remote(target), null, 0, 30_000, null);
            if (ok < u) {
                throw new IllegalStateException((u - ok) + " senders could not log in");
            }
            // pre-encode every numbered message, 100 frames per write
            List<List<byte[]>> writes = new ArrayList<>();
            long now = System.currentTimeMillis() / 1000;
            for (int i = 0; i < u; i++) {
                List<byte[]> chunks = new ArrayList<>();
                List<byte[]> chunk = new ArrayList<>();
                for (int k = 0; k < m; k++) {
                    chunk.add(lc.frames.encode(PbC2CTextChat.newBuilder().setFromUuid(senders.get(i).user)
                            .setToUuid(recipients.get(i).user).setTextMsg(Frames.text(String.format("%08d ", k), Math.max(9, o.textSize)))
                            .setTimestamp(now).build()));
                    if (chunk.size() == 100 || k == m - 1) {
                        chunks.add(Frames.concat(chunk));
                        chunk.clear();
                    }
                }
                chunks.add(lc.frames.encode(PbClientLogout.newBuilder().setLogout(true).setTimestamp(now).build()));
                writes.add(chunks);
            }
            Thread reporter = o.quiet ? null : Metrics.reporter(metrics, progress, () -> {
                long stored = senders.stream().filter(c -> c.closed).count();
                long fetched = recipients.stream().mapToLong(r -> r.count).sum();
                return "senders done " + stored + "/" + u + "  fetched " + fetched + "/" + (long) u * m;
            });
            try {
                // An external server's Redis is connected to (and the queues counted) before the clock starts.
                List<String> users = recipients.stream().map(r -> r.user).toList();
                long storedBefore = target.storedOffline();
                long queuedBefore = storedBefore < 0 ? target.storedFor(users) : -1;
                metrics.startMeasuring();
                target.markStart();
                long storeStart = System.nanoTime();
                for (int i = 0; i < u; i++) {
                    Conn s = senders.get(i);
                    s.closeExpected = true;
                    for (byte[] w : writes.get(i)) {
                        s.write(w);
                    }
                    metrics.sent.add(m);
                }
                long deadline = System.nanoTime() + 600_000_000_000L;
                while (senders.stream().anyMatch(c -> !c.closed) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                // Handled is not yet stored: where the server's counters can be seen, wait until Redis took every one.
                while (storedBefore >= 0 && target.storedOffline() - storedBefore < (long) u * m
                        && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                // An external server's Redis (--redis): wait until the recipients' queues hold every
                // message, or stop waiting when they have not grown for 5 s (a cap, an expiry).
                long seen = -1;
                long lastGrowth = System.nanoTime();
                for (long q = queuedBefore >= 0 ? target.storedFor(users) - queuedBefore : -1; q >= 0 && q < (long) u * m;
                        q = target.storedFor(users) - queuedBefore) {
                    if (q != seen) {
                        seen = q;
                        lastGrowth = System.nanoTime();
                    } else if (System.nanoTime() - lastGrowth > 5_000_000_000L || System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(1);
                }
                storeNanos = System.nanoTime() - storeStart;
                storedInRedis = queuedBefore >= 0 ? target.storedFor(users) - queuedBefore : -1;

                for (Recipient r : recipients) {
                    r.captureControl(); // nothing expected; keeps stray packets out of the error count
                }
                ok = lc.connectAll(recipients, Run.remote(target), null, 0, 30_000, null);
                if (ok < u) {
                    throw new IllegalStateException((u - ok) + " recipients could not log in");
                }
                long fetchStart = System.nanoTime();
                for (Recipient r : recipients) {
                    r.request(lc);
                }
                long fetchDeadline = fetchStart + Math.max(30_000_000_000L, (long) u * m * 1_000_000L);
                long lastProgress = System.nanoTime();
                long lastCount = 0;
                while (System.nanoTime() < fetchDeadline) {
                    long count = recipients.stream().mapToLong(r -> r.count).sum();
                    if (count >= (long) u * m) {
                        break;
                    }
                    if (count != lastCount) {
                        lastCount = count;
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > 2_000_000_000L) {
                        // quiet for 2 s and not complete: storage may have lagged; ask again
                        for (Recipient r : recipients) {
                            if (r.count < m) {
                                r.request(lc);
                                rerequests++;
                            }
                        }
                        lastProgress = System.nanoTime();
                    }
                    Thread.sleep(5);
                }
                long lastArrival = recipients.stream().mapToLong(r -> r.lastArrival).max().orElse(fetchStart);
                fetchNanos = Math.max(1, lastArrival - fetchStart);
                received = recipients.stream().mapToLong(r -> r.count).sum();
                metrics.stopMeasuring();
            } finally {
                if (reporter != null) {
                    reporter.interrupt();
                    reporter.join(2000);
                }
            }
            lc.closing();
        }
        long missing = (long) u * m - received;
        metrics.errors("missing", missing);
        Map<String, Object> s = Json.object();
        s.put("mode", o.mode);
        s.put("started_at", startedAt);
        s.put("target", Run.targetInfo(target));
        Map<String, Object> config = Json.object();
        config.put("users", u);
        config.put("messages_per_user", m);
        config.put("text_bytes", Math.max(9, o.textSize));
        config.put("generator_io_threads", o.ioThreads);
        s.put("config", config);
        s.put("measured_s", Metrics.round(metrics.measuredSeconds(), 3));
        Map<String, Object> messages = Json.object();
        messages.put("stored", (long) u * m);
        messages.put("fetched", received);
        s.put("messages", messages);
        Map<String, Object> tp = Json.object();
        tp.put("store_per_s", Math.round((long) u * m / (storeNanos / 1e9)));
        tp.put("fetch_per_s", Math.round(received / (fetchNanos / 1e9)));
        tp.put("delivered_per_s", Math.round(received / (fetchNanos / 1e9)));
        s.put("throughput", tp);
        Map<String, Object> latency = metrics.latencySummary();
        latency.put("what", "fetch: request to arrival of each stored message");
        s.put("latency_us", latency);
        Map<String, Object> errors = Json.object();
        errors.put("total", metrics.errorCount());
        errors.put("by_kind", metrics.errorsByKind());
        s.put("errors", errors);
        s.put("cpu", metrics.cpuSummary(target));
        Map<String, Object> results = Json.object();
        results.put("store_s", Metrics.round(storeNanos / 1e9, 3));
        results.put("fetch_s", Metrics.round(fetchNanos / 1e9, 3));
        results.put("rerequests", rerequests);
        if (storedInRedis >= 0) {
            results.put("stored_in_redis_at_store_end", storedInRedis);
        }
        // The same Redis, right after: what it does alone with comparable commands (docs/benchmarks.md: target >= 50%).
        int redisPort = target.benchmarkRedisPort();
        if (redisPort > 0) {
            Map<String, Object> rb = RedisBenchmark.run(redisPort, 200_000);
            if (rb.get("eval_store_script_per_s") instanceof Long eval && eval > 0) {
                rb.put("store_vs_eval", Metrics.round(((Number) tp.get("store_per_s")).doubleValue() / eval, 3));
            }
            if (rb.get("zpopmin_per_s") instanceof Long pop && pop > 0) {
                rb.put("fetch_vs_zpopmin", Metrics.round(((Number) tp.get("fetch_per_s")).doubleValue() / pop, 3));
            }
            results.put("redis_benchmark", rb);
        }
        s.put("results", results);
        s.put("timeline", metrics.timeline);
        return s;
    }

    static final class Recipient extends Conn {
        private final int expected;
        private final Metrics metrics;
        volatile long count;
        volatile long lastArrival;
        private long next;
        private volatile long requestedAt;
        private byte[] request;

        Recipient(String user, int expected, Metrics metrics) {
            super(user);
            this.expected = expected;
            this.metrics = metrics;
        }

        void request(LoadConnector lc) {
            if (request == null) {
                request = lc.frames.encode(PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(user)
                        .setTimestamp(System.currentTimeMillis() / 1000).build());
            }
            if (requestedAt == 0) {
                requestedAt = System.nanoTime();
            }
            write(request);
        }

        @Override
        boolean isHot(int type) {
            return false; // every stored message is decoded and checked
        }

        @Override
        void onPacket(Packet p, long now) {
            if (!(p.body() instanceof PbServerResponseC2COfflineMsg msg)) {
                if (p.body() instanceof PbC2CTextChat) {
                    metrics.error("unexpected_live_text");
                }
                return;
            }
            long seq;
            try {
                seq = Long.parseLong(msg.getTextMsg().substring(0, 8));
            } catch (RuntimeException e) {
                metrics.error("foreign_message");
                return;
            }
            if (seq < next) {
                metrics.error("duplicate");
                return;
            }
            if (seq > next) {
                metrics.error("out_of_order_or_gap");
            }
            next = seq + 1;
            count++;
            lastArrival = now;
            metrics.latencyNanos(now - requestedAt);
            metrics.delivered.increment();
            if (count > expected) {
                metrics.error("too_many");
            }
        }
    }
}
