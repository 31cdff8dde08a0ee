package io.github.chatserver.server.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A client written from docs/PROTOCOL.md alone: a plain socket, frames built and cut with
 * {@link ByteBuffer}, bodies encrypted with {@code javax.crypto} and protobuf encoded and
 * decoded field by field. It uses none of the project's codec, protocol classes or client, so
 * a mistake shared by the server and the project's own codec cannot hide from it.
 */
final class RawWireClient implements AutoCloseable {
    // docs/PROTOCOL.md §3, the packet types, written out as the contract's numbers.
    static final int CLIENT_LOGIN = 1;
    static final int SERVER_ACCEPT_LOGIN = 2;
    static final int CLIENT_LOGOUT = 3;
    static final int CLIENT_PING = 4;
    static final int C2C_TEXT_CHAT = 5;
    static final int CLIENT_REQUEST_C2C_OFFLINE_MSG = 6;
    static final int SERVER_RESPONSE_C2C_OFFLINE_MSG = 7;
    static final int GROUP_TEXT_CHAT = 8;
    static final int CLIENT_REQUEST_GROUP_OFFLINE_MSG = 9;
    static final int SERVER_RESPONSE_GROUP_OFFLINE_MSG = 10;
    static final int CLIENT_REQUEST_GROUP_INFO = 11;
    static final int SERVER_RESPONSE_GROUP_INFO = 12;
    static final int CLIENT_BUILD_GROUP = 13;
    static final int SERVER_NOTIFY_BUILD_GROUP = 14;
    static final int CLIENT_DISBAND_GROUP = 15;
    static final int SERVER_NOTIFY_DISBAND_GROUP = 16;
    static final int CLIENT_JOIN_GROUP = 17;
    static final int SERVER_NOTIFY_JOIN_GROUP = 18;
    static final int CLIENT_LEAVE_GROUP = 19;
    static final int SERVER_NOTIFY_LEAVE_GROUP = 20;

    /** docs/PROTOCOL.md §1: the header is two big-endian uint32, length (header included) and type. */
    static final int HEADER_LENGTH = 8;
    /** The documented default {@code maxFrameLength}. */
    static final int MAX_FRAME_LENGTH = 8192;
    /** docs/PROTOCOL.md §2: the original clients' legacy-aes key, also the IV. */
    static final byte[] ORIGINAL_KEY = "12345abcdef67890".getBytes(StandardCharsets.US_ASCII);

    // Protobuf wire types (proto2 encoding).
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Bytes received and not yet consumed as a frame: a read that times out loses nothing. */
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean eof;

    private RawWireClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawWireClient connect(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new RawWireClient(s);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    // ------------------------------------------------------------------ frames and cipher

    /** Header + given (already encrypted, or deliberately broken) body, in one buffer. */
    static byte[] frame(long type, byte[] wireBody) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + wireBody.length).order(ByteOrder.BIG_ENDIAN);
        b.putInt((int) (HEADER_LENGTH + wireBody.length));
        b.putInt((int) type);
        b.put(wireBody);
        return b.array();
    }

    /** A header alone, with any length claimed (uint32, so up to 0xFFFFFFFF). */
    static byte[] header(long claimedLength, long type) {
        return ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN)
                .putInt((int) claimedLength).putInt((int) type).array();
    }

    /** The complete frame of a message: the plain protobuf body encrypted with legacy-aes. */
    static byte[] encryptedFrame(long type, byte[] plainBody) {
        return frame(type, encrypt(plainBody));
    }

    static byte[] encrypt(byte[] plain) {
        return aes(Cipher.ENCRYPT_MODE, plain);
    }

    static byte[] decrypt(byte[] body) {
        return aes(Cipher.DECRYPT_MODE, body);
    }

    private static byte[] aes(int mode, byte[] data) {
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
            c.init(mode, new SecretKeySpec(ORIGINAL_KEY, "AES"), new IvParameterSpec(ORIGINAL_KEY));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("AES " + (mode == Cipher.ENCRYPT_MODE ? "encryption" : "decryption")
                    + " failed on " + hex(data), e);
        }
    }

    // ------------------------------------------------------------------ sending

    void send(int type, Proto body) throws IOException {
        writeRaw(encryptedFrame(type, body.toByteArray()));
    }

    /** One write call on the socket with exactly these bytes. */
    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Logs in with uuid, version 1.0 and the client's clock; returns the type 2 answer, asserting login=true. */
    Fields login(String uuid) throws IOException {
        return login(uuid, null);
    }

    Fields login(String uuid, String token) throws IOException {
        Proto body = loginBody(uuid, token);
        send(CLIENT_LOGIN, body);
        Frame answer = expect(SERVER_ACCEPT_LOGIN, Duration.ofSeconds(10));
        if (!answer.fields().bool(1)) {
            throw new AssertionError("login of '" + uuid + "' refused: " + answer.fields().string(2));
        }
        return answer.fields();
    }

    static Proto loginBody(String uuid, String token) {
        Proto body = new Proto().string(1, uuid).float32(2, 1.0f).int64(3, now());
        return token == null ? body : body.string(4, token);
    }

    // ------------------------------------------------------------------ receiving

    /** One frame from the server, or an AssertionError if none is complete within the timeout or the server closed. */
    Frame read(Duration timeout) throws IOException {
        return readWithin(timeout).orElseThrow(() -> new AssertionError(
                "no complete frame from the server within " + timeout + " (" + pending.size() + " bytes pending)"));
    }

    /** The next frame, asserting its type. */
    Frame expect(int type, Duration timeout) throws IOException {
        Frame f = read(timeout);
        if (f.type() != type) {
            throw new AssertionError("expected a type " + type + " frame, got " + f);
        }
        return f;
    }

    /** The next frame if one completes within the timeout; bytes of a partial frame are kept. */
    Optional<Frame> readWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame f = cutFrame();
            if (f != null) {
                return Optional.of(f);
            }
            if (eof) {
                throw new AssertionError("the server closed the connection ("
                        + pending.size() + " bytes of an incomplete frame pending)");
            }
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                return Optional.empty();
            }
            fill((int) leftMillis);
        }
    }

    /** Reads once, waiting at most the timeout; true if bytes came. Sets eof on end of stream. */
    private boolean fill(int timeoutMillis) throws IOException {
        socket.setSoTimeout(Math.max(1, timeoutMillis));
        byte[] chunk = new byte[16 * 1024];
        try {
            int n = in.read(chunk);
            if (n < 0) {
                eof = true;
                return false;
            }
            pending.write(chunk, 0, n);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private Frame cutFrame() {
        byte[] buf = pending.toByteArray();
        if (buf.length < HEADER_LENGTH) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.BIG_ENDIAN);
        long length = Integer.toUnsignedLong(b.getInt());
        long type = Integer.toUnsignedLong(b.getInt());
        if (length < HEADER_LENGTH || length > 16 * 1024 * 1024) {
            throw new AssertionError("the server sent a frame header with length " + length + ": " + hex(
                    Arrays.copyOf(buf, HEADER_LENGTH)));
        }
        if (buf.length < length) {
            return null;
        }
        byte[] body = Arrays.copyOfRange(buf, HEADER_LENGTH, (int) length);
        pending.reset();
        pending.write(buf, (int) length, buf.length - (int) length);
        if (body.length == 0 || body.length % 16 != 0) {
            throw new AssertionError("type " + type + " frame from the server has a legacy-aes body of "
                    + body.length + " bytes, not a positive multiple of 16");
        }
        byte[] plain = decrypt(body);
        return new Frame(length, type, body, plain, Fields.parse(plain));
    }

    /**
     * Asserts that the server closes this connection (end of stream or reset) within the
     * timeout, and returns whatever bytes it sent first (the caller decides if any were allowed).
     */
    byte[] assertClosedByServer(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                throw new AssertionError("the server did not close the connection within " + timeout
                        + "; received meanwhile: " + hex(pending.toByteArray()));
            }
            try {
                fill((int) leftMillis);
            } catch (SocketException reset) {
                eof = true; // connection reset by the server
            }
        }
        return pending.toByteArray();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // a test client: nothing to do
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** One received frame: the header's numbers, the body as received and decrypted, and its fields. */
    record Frame(long length, long type, byte[] wireBody, byte[] plainBody, Fields fields) {
        @Override
        public String toString() {
            return "Frame[length=" + length + ", type=" + type + ", fields=" + fields + "]";
        }
    }

    // ------------------------------------------------------------------ protobuf, by hand

    /** A minimal proto2 writer: fields are appended in the order written, as a protobuf encoder does. */
    static final class Proto {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Proto varintField(int field, long value) {
            tag(field, VARINT);
            varint(value);
            return this;
        }

        Proto int64(int field, long value) {
            return varintField(field, value);
        }

        Proto bool(int field, boolean value) {
            return varintField(field, value ? 1 : 0);
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto bytes(int field, byte[] value) {
            tag(field, LENGTH_DELIMITED);
            varint(value.length);
            bytes.writeBytes(value);
            return this;
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.toByteArray());
        }

        /** A proto2 {@code float}: wire type 5, four bytes little-endian IEEE 754. */
        Proto float32(int field, float value) {
            tag(field, FIXED32);
            bytes.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
            return this;
        }

        private void tag(int field, int wireType) {
            varint(((long) field << 3) | wireType);
        }

        /** Base-128 varint, least significant group first; a negative int64 takes ten bytes. */
        private void varint(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                bytes.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            bytes.write((int) v);
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    /** One fixed32 value as received (the raw 32 bits), so a float is told apart from a varint. */
    record Fixed32(int bits) {
        @Override
        public String toString() {
            return "fixed32:" + Float.intBitsToFloat(bits);
        }
    }

    /** One fixed64 value as received; no field of the contract uses it. */
    record Fixed64(long bits) {
    }

    /**
     * A decoded message: field number to the list of its values in arrival order. A value is a
     * {@code Long} (varint), a {@code byte[]} (length-delimited), a {@link Fixed32} or a
     * {@link Fixed64}. The accessors assert the wire type and the count the contract requires.
     */
    static final class Fields {
        private final Map<Integer, List<Object>> values;

        private Fields(Map<Integer, List<Object>> values) {
            this.values = values;
        }

        static Fields parse(byte[] data) {
            Map<Integer, List<Object>> map = new TreeMap<>();
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                long tag = readVarint(b, data);
                long field = tag >>> 3;
                int wireType = (int) (tag & 7);
                if (field < 1 || field > 536_870_911) {
                    throw new AssertionError("invalid field number " + field + " in " + hex(data));
                }
                Object value;
                switch (wireType) {
                    case VARINT -> value = readVarint(b, data);
                    case FIXED64 -> {
                        need(b, 8, data);
                        value = new Fixed64(b.order(ByteOrder.LITTLE_ENDIAN).getLong());
                    }
                    case LENGTH_DELIMITED -> {
                        long len = readVarint(b, data);
                        if (len < 0 || len > b.remaining()) {
                            throw new AssertionError("field " + field + " claims " + len + " bytes, "
                                    + b.remaining() + " left, in " + hex(data));
                        }
                        byte[] v = new byte[(int) len];
                        b.get(v);
                        value = v;
                    }
                    case FIXED32 -> {
                        need(b, 4, data);
                        value = new Fixed32(b.order(ByteOrder.LITTLE_ENDIAN).getInt());
                    }
                    default -> throw new AssertionError("wire type " + wireType + " (field " + field
                            + ") is not used by the contract, in " + hex(data));
                }
                map.computeIfAbsent((int) field, k -> new ArrayList<>()).add(value);
            }
            return new Fields(map);
        }

        private static void need(ByteBuffer b, int n, byte[] data) {
            if (b.remaining() < n) {
                throw new AssertionError("truncated message: " + hex(data));
            }
        }

        private static long readVarint(ByteBuffer b, byte[] data) {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                need(b, 1, data);
                int x = b.get() & 0xFF;
                result |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return result;
                }
            }
            throw new AssertionError("varint longer than 10 bytes in " + hex(data));
        }

        /** The raw map: field number -> values (Long, byte[], Fixed32, Fixed64). */
        Map<Integer, List<Object>> asMap() {
            return Collections.unmodifiableMap(values);
        }

        Set<Integer> numbers() {
            return new TreeSet<>(values.keySet());
        }

        boolean has(int field) {
            return values.containsKey(field);
        }

        int count(int field) {
            return values.getOrDefault(field, List.of()).size();
        }

        /** The values of a field that must hold one wire type. */
        private <T> List<T> all(int field, Class<T> kind, String what) {
            List<T> result = new ArrayList<>();
            for (Object v : values.getOrDefault(field, List.of())) {
                if (!kind.isInstance(v)) {
                    throw new AssertionError("field " + field + " should be " + what + " but came as "
                            + describe(v) + " in " + this);
                }
                result.add(kind.cast(v));
            }
            return result;
        }

        /** A non-repeated field: present exactly once (a proto2 encoder writes it once). */
        private <T> T one(int field, Class<T> kind, String what) {
            List<T> all = all(field, kind, what);
            if (all.size() != 1) {
                throw new AssertionError("field " + field + " (" + what + ") should occur once, occurs "
                        + all.size() + " times in " + this);
            }
            return all.get(0);
        }

        long int64(int field) {
            return one(field, Long.class, "a varint (int64)");
        }

        boolean bool(int field) {
            long v = one(field, Long.class, "a varint (bool)");
            if (v != 0 && v != 1) {
                throw new AssertionError("bool field " + field + " has varint value " + v);
            }
            return v == 1;
        }

        float float32(int field) {
            return Float.intBitsToFloat(one(field, Fixed32.class, "fixed32 (float)").bits());
        }

        String string(int field) {
            return utf8(field, one(field, byte[].class, "length-delimited (string)"));
        }

        List<String> strings(int field) {
            return all(field, byte[].class, "length-delimited (repeated string)").stream()
                    .map(v -> utf8(field, v)).toList();
        }

        Fields message(int field) {
            return parse(one(field, byte[].class, "length-delimited (message)"));
        }

        List<Fields> messages(int field) {
            return all(field, byte[].class, "length-delimited (repeated message)").stream().map(Fields::parse).toList();
        }

        private static String utf8(int field, byte[] v) {
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(v));
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw new AssertionError("string field " + field + " is not valid UTF-8: " + hex(v));
            }
        }

        private static String describe(Object v) {
            if (v instanceof Long l) {
                return "varint " + l;
            }
            if (v instanceof byte[] bytes) {
                return "length-delimited " + hex(bytes);
            }
            return String.valueOf(v);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("{");
            values.forEach((k, list) -> {
                for (Object v : list) {
                    if (s.length() > 1) {
                        s.append(", ");
                    }
                    s.append(k).append('=');
                    if (v instanceof byte[] bytes) {
                        s.append('"').append(new String(bytes, StandardCharsets.UTF_8)).append('"');
                    } else {
                        s.append(v);
                    }
                }
            });
            return s.append('}').toString();
        }
    }
}
