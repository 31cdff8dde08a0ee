package io.github.chatserver.itest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The chat listener as the tests inside the container reach it: loopback, on the port the host picked. */
final class ChatListener {
    static final String HOST = "127.0.0.1";
    /** Set by {@link ChatServerIT#config()}: the port written into the container's .cfg. */
    static final String PORT_PROPERTY = "chatserver.itest.port";

    private ChatListener() {
    }

    /** The port the server was configured with when Karaf started. */
    static int configuredPort() {
        return Integer.parseInt(System.getProperty(PORT_PROPERTY));
    }

    /** Whether something accepts TCP connections on that loopback port now. */
    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
