package io.github.chatserver.bench.deployed;

/**
 * A server under load: the Karaf-run chat server or the bare relay, its listening address, the
 * process whose CPU and memory are read, and (Karaf) the port of its Redis.
 */
record Endpoint(Target target, String host, int port, long pid, int redisPort) {
    enum Target {
        KARAF("Karaf"), RELAY("relay");

        final String label;

        Target(String label) {
            this.label = label;
        }
    }
}
