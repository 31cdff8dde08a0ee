package io.github.chatserver.bench;

import java.util.Map;

/** One load pattern of {@link Run}: set up, offer load, stop, and tell what is still in flight. */
interface Scenario {
    /** Connects and logs in everything (not measured). */
    void setup(LoadConnector lc, Target target, Metrics metrics, BenchOptions o) throws Exception;

    /** Starts offering load. */
    void start();

    /** Stops offering load; messages in flight may still arrive. */
    void stop();

    /** Messages sent but not (yet) delivered. */
    long inFlight();

    /** The scenario's parameters, for the summary. */
    void describe(Map<String, Object> config);

    /** Extra results, for the summary. */
    default void results(Map<String, Object> results) {
    }

    /** A short extra for the progress line, or null. */
    default String progress() {
        return null;
    }
}
