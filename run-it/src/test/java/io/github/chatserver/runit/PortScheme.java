package io.github.chatserver.runit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ports of one instance started with {@code run.sh --port N}, as run.sh documents them: every
 * port moves by {@code k = N - 8989} (SSH console 8101+k, JMX RMI registry 1099+k, RMI server
 * 44444+k) and the TLS port is N+1000.
 */
record PortScheme(int chat) {
    /** The settings run.sh names when it refuses a taken port, with the port each holds here. */
    enum Setting {
        CHAT("port"), TLS("tlsPort"), SSH("sshPort"), RMI_REGISTRY("rmiRegistryPort"), RMI_SERVER("rmiServerPort");

        final String key;

        Setting(String key) {
            this.key = key;
        }
    }

    int port(Setting setting) {
        int offset = chat - 8989;
        return switch (setting) {
            case CHAT -> chat;
            case TLS -> chat + 1000;
            case SSH -> 8101 + offset;
            case RMI_REGISTRY -> 1099 + offset;
            case RMI_SERVER -> 44444 + offset;
        };
    }

    /**
     * An instance whose five ports can all be bound on loopback now, searched from a random chat
     * port in 20000-28999 (so that concurrent builds rarely meet, and 44444+k stays below 65536).
     */
    static PortScheme free() {
        return freeFrom(ThreadLocalRandom.current().nextInt(20000, 29000));
    }

    /** The first instance from chat port {@code from} upwards whose five ports are all free. */
    static PortScheme freeFrom(int from) {
        for (int chat = from; chat < from + 500; chat++) {
            PortScheme scheme = new PortScheme(chat);
            if (scheme.allFree()) {
                return scheme;
            }
        }
        throw new IllegalStateException("no instance with five free ports from chat port " + from);
    }

    private boolean allFree() {
        for (Setting setting : Setting.values()) {
            if (!bindable(port(setting))) {
                return false;
            }
        }
        return true;
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "--port " + chat + " " + Map.of("tls", port(Setting.TLS), "ssh", port(Setting.SSH),
                "rmiRegistry", port(Setting.RMI_REGISTRY), "rmiServer", port(Setting.RMI_SERVER));
    }
}
