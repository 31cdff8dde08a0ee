import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * run.sh's check, before it starts Karaf, that every port the instance needs can be bound: it binds
 * each {@code host:port} given the way Karaf's listeners will (a server socket with SO_REUSEADDR, as
 * Java sets it on Linux), releases it at once, and prints one line per argument, in order: {@code free},
 * or why the bind failed (e.g. {@code Address already in use}). A bind is the only exact test: a
 * connect misses a port bound on another address or not yet listening.
 *
 * <p>Run as a single-file program (Java 11 or later): {@code java scripts/PortCheck.java 127.0.0.1:8989 0.0.0.0:8101}
 */
public final class PortCheck {
    private PortCheck() {
    }

    public static void main(String[] args) {
        for (String arg : args) {
            System.out.println(check(arg));
        }
    }

    private static String check(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        String host = hostAndPort.substring(0, colon);
        int port = Integer.parseInt(hostAndPort.substring(colon + 1));
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port));
            return "free";
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }
}
