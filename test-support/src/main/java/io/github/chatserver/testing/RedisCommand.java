package io.github.chatserver.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One command to a loopback Redis over a fresh connection, spoken in RESP2. The fixtures poll
 * {@code CLUSTER INFO}, {@code INFO replication} and {@code SENTINEL} replies with it while they
 * wait for a topology to settle: a client library would keep connections and topology state of
 * its own, which is what the fixtures must not depend on while nodes come and go.
 */
final class RedisCommand {
    private static final int CONNECT_TIMEOUT_MS = 2000;
    /** Generous: on a loaded machine a busy node may take a moment to answer. */
    private static final int READ_TIMEOUT_MS = 5000;

    private RedisCommand() {
    }

    /**
     * Sends the command and returns the reply: a {@code String} (simple or bulk string, null for a
     * nil bulk), a {@code Long} (integer) or a {@code List<Object>} (array). An error reply is an
     * {@link IOException} carrying Redis's message.
     */
    static Object send(int port, String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(encode(args));
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /** A command whose reply is a string, such as {@code CLUSTER NODES} or {@code INFO}. */
    static String text(int port, String... args) throws IOException {
        Object reply = send(port, args);
        if (!(reply instanceof String)) {
            throw new IOException(String.join(" ", args) + " answered " + reply + ", not a string");
        }
        return (String) reply;
    }

    /** The {@code name:value} lines of an {@code INFO} or {@code CLUSTER INFO} reply. */
    static Map<String, String> fields(int port, String... args) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text(port, args).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    /** A flat array of names and values, as {@code SENTINEL MASTER} answers, as a map. */
    static Map<String, String> pairs(Object reply) throws IOException {
        if (!(reply instanceof List<?> list) || list.size() % 2 != 0) {
            throw new IOException("expected a list of name/value pairs, got " + reply);
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i += 2) {
            pairs.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
        }
        return pairs;
    }

    private static byte[] encode(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bytes);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        if (type == -1) {
            throw new EOFException("connection closed before a reply");
        }
        String line = readLine(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("Redis answered: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length);
                if (bytes.length < length) {
                    throw new EOFException("connection closed inside a bulk reply");
                }
                readLine(in); // the CRLF after the bulk
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("not a RESP2 reply: type byte " + type);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new EOFException("connection closed inside a reply");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
