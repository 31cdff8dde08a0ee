package io.github.chatserver.bench.deployed;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Memory per connection of the idle shape: the server's memory is read once before the run (no
 * connection) and once while the generator holds all of them (its progress line says so), and the
 * difference is divided by the connections. For Karaf: the live heap after a full GC
 * ({@link HeapProbe}) and the resident set; for the Go relay the resident set only.
 */
final class MemoryProbe {
    private final Endpoint server;
    private final long connections;
    private final Memory before;
    private volatile CompletableFuture<Memory> held;
    private volatile long lastHeld = -1;
    /** Whether the last progress line when the reading ended still had every connection open. */
    private volatile boolean heldThroughReading;

    record Memory(long heapBytes, long rssBytes) {
    }

    MemoryProbe(Endpoint server, long connections) throws IOException, InterruptedException {
        this.server = server;
        this.connections = connections;
        this.before = read(server);
    }

    static Memory read(Endpoint server) throws IOException, InterruptedException {
        long heap = server.target() == Endpoint.Target.KARAF ? HeapProbe.liveHeapBytes(server.pid()) : -1;
        return new Memory(heap, ProcFs.rssBytes(server.pid()));
    }

    /** Starts the reading (once) when the generator reports every connection logged in and open. */
    void onProgress(ProgressLine p) {
        if (p.held() < 0) {
            return;
        }
        lastHeld = p.held();
        if (held == null && p.held() >= connections) {
            held = CompletableFuture.supplyAsync(() -> {
                try {
                    Memory m = read(server);
                    heldThroughReading = lastHeld >= connections;
                    return m;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    /**
     * The result once the generator has ended: per-connection numbers, or why there are none. A
     * reading that finished after the generator had begun to let connections go would count too
     * few, so the held count must still have been complete when the reading ended. Waits for a
     * reading still under way.
     */
    Map<String, Object> result() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", connections);
        r.put("heap_bytes_before", before.heapBytes());
        r.put("rss_bytes_before", before.rssBytes());
        if (held == null) {
            r.put("skipped", "the generator never reported all " + connections + " connections open (last: " + lastHeld + ")");
            return r;
        }
        Memory m;
        try {
            m = held.join();
        } catch (RuntimeException e) {
            r.put("skipped", "reading the server's memory failed: " + e.getMessage());
            return r;
        }
        if (!heldThroughReading) {
            r.put("skipped", "the generator let connections go before the reading ended: hold them longer (--seconds)");
            return r;
        }
        r.put("heap_bytes_held", m.heapBytes());
        r.put("rss_bytes_held", m.rssBytes());
        if (before.heapBytes() >= 0) {
            r.put("heap_bytes_per_conn", (m.heapBytes() - before.heapBytes()) / connections);
        }
        r.put("rss_bytes_per_conn", (m.rssBytes() - before.rssBytes()) / connections);
        return r;
    }
}
