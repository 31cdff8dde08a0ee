package io.github.chatserver.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ChatConnector;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientLogin;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.server.config.OverloadSettings;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.server.storage.OfflineStore;
import io.github.chatserver.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.apache.mina.core.buffer.IoBuffer;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.Config;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real server on a free port against the test class's real Redis, plus its clients (public for the wire-level tests). */
public final class ServerHarness implements AutoCloseable {
    final ChatServer server;
    private final List<ChatClient> clients = new ArrayList<>();
    private RedissonClient inspector;
    private final RedisServer redis;

    private ServerHarness(RedisServer redis, ServerSettings settings) throws IOException {
        this.redis = redis;
        this.server = new ChatServer(settings, new ServerStats());
        server.start();
    }

    /**
     * Overload limits out of the way of tests that are not about them: every client of a test
     * connects from 127.0.0.1, often hundreds at once, and some send megabytes to a stuck reader.
     * The overload tests set their own small limits.
     */
    static final OverloadSettings NO_OVERLOAD_LIMITS = new OverloadSettings(100_000, 100_000, 100_000, 100_000,
            1_000_000, 1 << 30, Duration.ofMinutes(10), 1L << 40, OverloadSettings.DEFAULTS.storageRetryBuffer());

    public static ServerHarness start(RedisServer redis) throws IOException {
        return new ServerHarness(redis, settings(redis));
    }

    static ServerHarness start(RedisServer redis, ServerSettings settings) throws IOException {
        return new ServerHarness(redis, settings);
    }

    /** A server on a Redis deployment the settings describe ({@code redisConfig}); {@link #redis()} is not available. */
    static ServerHarness start(ServerSettings settings) throws IOException {
        return new ServerHarness(null, settings);
    }

    /** The documented defaults on a free port, without overload limits ({@link #NO_OVERLOAD_LIMITS}). */
    static ServerSettings settings(RedisServer redis) {
        return ServerSettings.defaults(redis.address()).withPort(0).withOverload(NO_OVERLOAD_LIMITS);
    }

    /** {@link #settings} with a retry buffer of {@code slots} messages: the only limit the outage tests set. */
    static ServerSettings withRetryBuffer(RedisServer redis, int slots) {
        OverloadSettings d = NO_OVERLOAD_LIMITS;
        return settings(redis).withOverload(new OverloadSettings(d.maxConnections(), d.maxConnectionsPerAddress(),
                d.connectionsPerSecondPerAddress(), d.connectionBurstPerAddress(), d.packetsPerSecond(),
                d.bytesPerSecond(), d.throttleGrace(), d.maxQueuedOutboundBytes(), slots));
    }

    /** A user name no other test uses. */
    static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public int port() {
        return server.localAddress().getPort();
    }

    ServerStats stats() {
        return server.stats();
    }

    ChatClient connect() throws IOException {
        ChatClient c = ChatClient.connect("127.0.0.1", port());
        clients.add(c);
        return c;
    }

    /** A connected client, logged in as the user (asserting the server said yes). */
    ChatClient login(String user) throws IOException, TimeoutException, InterruptedException {
        ChatClient c = connect();
        PbServerAcceptLogin answer = c.login(user);
        assertTrue(answer.getLogin(), "login of " + user + " refused: " + answer.getTipsMsg());
        return c;
    }

    /**
     * Connects and logs in many users over one shared connector (one client I/O thread),
     * pipelined: every login is sent before any answer is awaited. Asserts every answer is yes.
     * The caller owns the connector and closes it (which closes these clients).
     */
    List<ChatClient> loginMany(ChatConnector connector, List<String> users)
            throws IOException, TimeoutException, InterruptedException {
        List<ChatClient> logged = new ArrayList<>(users.size());
        for (String user : users) {
            ChatClient c = connector.connect("127.0.0.1", port());
            c.send(PbClientLogin.newBuilder().setUuid(user).setVersion(1.0f).setTimestamp(ChatClient.now()).build());
            logged.add(c);
        }
        for (int i = 0; i < users.size(); i++) {
            PbServerAcceptLogin answer = logged.get(i).receive(PbServerAcceptLogin.class, ChatClient.DEFAULT_TIMEOUT);
            assertTrue(answer.getLogin(), "login of " + users.get(i) + " refused: " + answer.getTipsMsg());
        }
        return logged;
    }

    static PbC2CTextChat text(String from, String to, String text) {
        return PbC2CTextChat.newBuilder().setFromUuid(from).setToUuid(to).setTextMsg(text)
                .setTimestamp(ChatClient.now()).build();
    }

    /** The frames of these packets as the original clients' cipher frames them, back to back (one pipelined write). */
    static byte[] frames(List<? extends Message> bodies) {
        BodyCipher cipher = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Message body : bodies) {
            IoBuffer frame = EncodedFrame.of(Packet.of(body), cipher).toBuffer();
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            bytes.writeBytes(b);
        }
        return bytes.toByteArray();
    }

    /** How many messages Redis holds for the user in the queue of that kind (a ZCARD of our own). */
    public int stored(OfflineStore.Kind kind, String user) {
        return redis().getScoredSortedSet(kind.key(user)).size();
    }

    /**
     * The texts of the one-to-one messages Redis holds for these users, one per stored entry (a
     * message stored twice appears twice), read from the queue members directly.
     */
    List<String> storedTexts(List<String> users) throws InvalidProtocolBufferException {
        List<String> texts = new ArrayList<>();
        for (String u : users) {
            for (byte[] member : redis().<byte[]>getScoredSortedSet(OfflineStore.Kind.C2C.key(u), ByteArrayCodec.INSTANCE)
                    .readAll()) {
                int at = -1;
                for (int field = 0; field < 3; field++) { // seq|node|expiresAt|payload
                    at = indexOf(member, (byte) '|', at + 1);
                }
                texts.add(PbC2CTextChat.parseFrom(Arrays.copyOfRange(member, at + 1, member.length)).getTextMsg());
            }
        }
        return texts;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new IllegalStateException("not a queue member");
    }

    /** A Redisson client of our own, to look at what the server stored. */
    public RedissonClient redis() {
        if (inspector == null) {
            if (redis == null) {
                throw new IllegalStateException("this harness runs on a redisConfig deployment: inspect it with a client of your own");
            }
            Config config = new Config();
            config.useSingleServer().setAddress(redis.address());
            inspector = Redisson.create(config);
        }
        return inspector;
    }

    @Override
    public void close() {
        clients.forEach(ChatClient::close);
        server.stop();
        if (inspector != null) {
            inspector.shutdown();
        }
    }
}
