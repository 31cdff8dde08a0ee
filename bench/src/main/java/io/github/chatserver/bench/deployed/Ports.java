package io.github.chatserver.bench.deployed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free ports for the instance and the relay. */
final class Ports {
    private Ports() {
    }

    /**
     * The first chat port from {@code from} whose instance ports are all free: run.sh's --port N
     * moves SSH to 8101+k, the JMX RMI registry to 1099+k and its server to 44444+k (k = N - 8989),
     * and TLS to N+1000. Ports below 888 apart would collide with the next instance, so at most
     * 888 candidates are tried.
     */
    static int freeKarafPort(int from) throws IOException {
        for (int n = from; n < from + 888; n++) {
            int k = n - KarafInstance.DEFAULT_PORT;
            if (free(n) && free(8101 + k) && free(1099 + k) && free(44444 + k) && free(n + 1000)) {
                return n;
            }
        }
        throw new IOException("no chat port from " + from + " with every port of its instance free");
    }

    /** A port the kernel calls free now (it may be taken before it is used: the start then fails clearly). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** True if the port can be bound on every address (so on 127.0.0.1 too). */
    static boolean free(int port) {
        if (port < 1024 || port > 65535) {
            return false;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
