package io.github.chatserver.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Offers messages at a fixed rate from a thread of its own. Message j is due at
 * {@code start + j / rate}; each tick sends every message due by now, so a late tick sends
 * more, and each message carries its intended time: latency measured from it includes any
 * delay of the generator itself (no coordinated omission).
 */
final class Pacer {
    interface Sink {
        /** Sends message {@code j} intended at {@code intendedNanos}; false if it could not be queued. */
        boolean offer(long j, long intendedNanos);

        /** Everything due in this tick was offered: flush coalesced writes. */
        void flush();
    }

    private final double rate;
    private final Sink sink;
    private final Metrics metrics;
    private volatile boolean running;
    private Thread thread;

    Pacer(double ratePerSecond, Sink sink, Metrics metrics) {
        this.rate = ratePerSecond;
        this.sink = sink;
        this.metrics = metrics;
    }

    void start(String name) {
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops offering and waits (bounded) for the thread to end; an interrupt ends the wait and stays set. */
    void stop() {
        running = false;
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        metrics.generatorThread();
        long start = System.nanoTime();
        long j = 0;
        double nanosPer = 1e9 / rate;
        while (running) {
            long now = System.nanoTime();
            long due = (long) ((now - start) / nanosPer) + 1;
            boolean any = false;
            while (j < due && running) {
                long intended = start + (long) (j * nanosPer);
                if (!sink.offer(j, intended)) {
                    break; // back-pressure: retry this message next tick, still with its intended time
                }
                j++;
                any = true;
            }
            if (any) {
                sink.flush();
            }
            long next = start + (long) (j * nanosPer);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                // no spinning: the generator shares the cores with the server; a late wake-up is
                // counted as latency, since every message keeps its intended time
                LockSupport.parkNanos(Math.min(wait, 1_000_000));
            } else if (j < due) {
                LockSupport.parkNanos(50_000); // blocked by back-pressure
            }
        }
    }
}
