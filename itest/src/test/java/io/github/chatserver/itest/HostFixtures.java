package io.github.chatserver.itest;

import io.github.chatserver.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * What {@link ChatServerIT#config()} needs on the host before Karaf starts: a private Redis and
 * free ports. Only the host JVM loads this class (the container never calls {@code config()}),
 * so test-support need not be installed in Karaf.
 */
final class HostFixtures {
    private static RedisServer redis;

    private HostFixtures() {
    }

    /**
     * Starts the run's private redis-server once, shared by every test class of the run. A JVM
     * shutdown hook stops it and removes its directory after the last class: the classes are run by
     * Pax Exam's JUnit 4 runner, and nothing runs on the host after the last of them but the hooks.
     */
    static synchronized String redisAddress() {
        if (redis == null) {
            RedisServer started = RedisServer.start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-itest-redis"));
            redis = started;
        }
        return redis.address();
    }

    /** {@code count} distinct free loopback ports: all sockets stay open until every port is chosen. */
    static int[] freePorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // the port is free again either way
                    }
                }
            }
        }
    }
}
