package io.github.chatserver.server.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Message;
import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ChatConnector;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.codec.EncodedFrame;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientDisbandGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyDisbandGroup;
import io.github.chatserver.protocol.PbServerNotifyJoinGroup;
import io.github.chatserver.server.ChatServer;
import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.config.Limits;
import io.github.chatserver.server.config.OfflinePolicy;
import io.github.chatserver.server.config.OverloadSettings;
import io.github.chatserver.server.config.ServerSettings;
import io.github.chatserver.server.fuzz.PacketScript.Expect;
import io.github.chatserver.server.fuzz.PacketScript.Step;
import io.github.chatserver.server.stats.ServerStats;
import io.github.chatserver.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.mina.core.buffer.IoBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the packet handlers (docs/development.md "Fuzzing"): a real {@link ChatServer} on
 * loopback against a real redis-server, and per fuzz input a fresh logged-in client that sends the
 * packets {@link PacketScript} makes of the input. Two peers, logged in for the whole run, share a
 * group built for each input, and the fuzzed user has a group of its own and a stored message.
 * After the packets the client sends itself a text (the barrier); the connection's packets are
 * handled in order, so the barrier comes back once everything before it was handled. Checked:
 *
 * <ul>
 *   <li>nothing escapes the handlers: no ERROR logged, no uncaught exception, and a connection is
 *       never closed without a counted protocol violation (or a logout / second login);
 *   <li>invalid input (a body missing a required field, a wrong from_uuid, a bad frame, a text
 *       over the limit, an empty id) closes the connection, is counted, and nothing after it is
 *       acted on: the barrier does not come back, and the peers get no more texts than were sent
 *       before it;
 *   <li>input the protocol calls valid keeps the connection open: every group request gets its
 *       one answer (12, 14, 16, 18 or 20) and every text to a peer arrives, exactly once;
 *   <li>the others are unaffected: after each input the peers are still connected and can still
 *       exchange a message, and a new client can still connect and log in.
 * </ul>
 *
 * Every wait is bounded (5 s), only loopback is used (Jazzer's SSRF detector enforces it), and
 * in-process state never carries from one input to the next beyond Redis contents of users and
 * groups that no later input names.
 */
class HandlerFuzzTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final BodyCipher CIPHER =
            BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
    /** Small limits, so the fuzzer reaches them. */
    static final Limits LIMITS = new Limits(200, 16, 5, 5, 128);
    private static final Set<PacketType> ANSWERS = EnumSet.of(PacketType.SERVER_RESPONSE_GROUP_INFO,
            PacketType.SERVER_NOTIFY_BUILD_GROUP, PacketType.SERVER_NOTIFY_DISBAND_GROUP,
            PacketType.SERVER_NOTIFY_JOIN_GROUP, PacketType.SERVER_NOTIFY_LEAVE_GROUP);
    /** Names of this run: fresh ones in every JVM, so a reused Redis would not matter either. */
    private static final String RUN = "fz" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private static final AtomicLong SEQ = new AtomicLong();

    private static RedisServer redis;
    private static ChatServer server;
    private static ChatConnector connector;
    private static ErrorWatch errors;
    private static ChatClient peerA;
    private static ChatClient peerB;
    private static String userA;
    private static String userB;

    static ServerSettings settings(String redisAddress) {
        return ServerSettings.defaults(redisAddress).toBuilder()
                .port(0)
                .limits(LIMITS)
                .offline(new OfflinePolicy(Duration.ofHours(1), Duration.ofHours(1), 5, false))
                // Refused logins answered at once, and no connection or rate limit: the fuzzer
                // opens a connection per input, all from 127.0.0.1.
                .auth(new AuthSettings(AuthSettings.OPEN, "", AuthSettings.MIN_ITERATIONS, Duration.ZERO, Duration.ZERO))
                .overload(new OverloadSettings(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1 << 30,
                        Duration.ofSeconds(10), 1L << 30, 100_000))
                .build();
    }

    @BeforeAll
    static void startServer() throws Exception {
        errors = ErrorWatch.install();
        redis = RedisServer.start();
        Runtime.getRuntime().addShutdownHook(new Thread(redis::close, "fuzz-redis-stop"));
        server = new ChatServer(settings(redis.address()), new ServerStats());
        server.start();
        connector = new ChatConnector(CIPHER, WAIT);
        noDelay(connector);
    }

    /**
     * The client library leaves Nagle's algorithm on; with it, back-to-back small writes wait for
     * the server's delayed ACK (40 ms) and the fuzzer would run at a few inputs a second. Best
     * effort: without it the test is only slower.
     */
    private static void noDelay(ChatConnector c) {
        try {
            java.lang.reflect.Field field = ChatConnector.class.getDeclaredField("connector");
            field.setAccessible(true);
            ((org.apache.mina.transport.socket.SocketConnector) field.get(c)).getSessionConfig().setTcpNoDelay(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("HandlerFuzzTest: could not set TCP_NODELAY on the client connector: " + e);
        }
    }

    @AfterAll
    static void stopServer() {
        if (connector != null) {
            connector.close();
        }
        if (server != null) {
            server.stop();
        }
        if (redis != null) {
            redis.close();
        }
        if (errors != null) {
            errors.uninstall();
        }
    }

    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void handlePackets(byte[] input) throws Exception {
        // Connections are expected, to loopback only: anything else is reported by Jazzer's SSRF detector.
        try (SilentCloseable ignored = BugDetectors.allowNetworkConnections(HandlerFuzzTest::loopback)) {
            new Round(input).run();
        }
    }

    static boolean loopback(String host, int port) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1")
                || host.equals("0:0:0:0:0:0:0:1");
    }

    /** One fuzz input, from setting the scene to checking that the others are unaffected. */
    private static final class Round {
        private final byte[] input;
        private final long n = SEQ.incrementAndGet();
        private final String self = RUN + "-f" + n;
        private int textsToA;
        private int textsToB;
        private int groupTextsAtA;
        private int groupTextsAtB;

        Round(byte[] input) {
            this.input = input;
        }

        void run() throws Exception {
            errors.take(); // whatever earlier rounds left behind is not this input's doing
            ensurePeers();
            String peerGroup = buildGroup(peerA, userA, "peers" + n).getGroupId();
            peerB.send(PbClientJoinGroup.newBuilder().setFromUuid(userB).setGroupId(peerGroup).setTimestamp(ChatClient.now()).build());
            awaitAt(peerB, PbServerNotifyJoinGroup.class, j -> j.getGroupId().equals(peerGroup) && j.getApplicantUuid().equals(userB));
            peerA.send(text(userA, self, "while you were away")); // stored: the user is not online yet

            ChatClient client = connector.connect("127.0.0.1", server.localAddress().getPort());
            Reached reached;
            try {
                PbServerAcceptLogin login = client.login(self);
                assertTrue(login.getLogin(), "a new client can log in: " + login.getTipsMsg());
                String ownGroup = buildGroup(client, self, "own" + n).getGroupId();
                PacketScript.Names names = new PacketScript.Names(self, userA, userB, RUN + "-o" + n, peerGroup, ownGroup);
                List<Step> steps = PacketScript.parse(input, names, LIMITS, server.settings().maxFrameLength(), CIPHER);
                reached = exercise(client, steps);
            } finally {
                client.close();
            }

            // The peers are unaffected: the group goes, and they still talk.
            peerA.send(PbClientDisbandGroup.newBuilder().setFromUuid(userA).setGroupId(peerGroup).setTimestamp(ChatClient.now()).build());
            awaitAt(peerA, PbServerNotifyDisbandGroup.class, d -> d.getGroupId().equals(peerGroup) && d.getDisband());
            String check = "check-" + n;
            peerA.send(text(userA, userB, check));
            awaitAt(peerB, PbC2CTextChat.class, t -> t.getFromUuid().equals(userA) && t.getTextMsg().equals(check));
            assertTrue(peerA.isConnected() && peerB.isConnected(), "the peers' connections are still open");

            // Everything the peers got from the fuzzed user was written before the answers awaited
            // just now, so it has all been counted.
            assertTrue(textsToA <= reached.toA() && textsToB <= reached.toB(),
                    "the peers got " + textsToA + " and " + textsToB + " texts, at most " + reached.toA() + " and "
                            + reached.toB() + " were sent before any violation: " + reached.script());
            assertTrue(groupTextsAtA <= reached.groupTexts() && groupTextsAtB <= reached.groupTexts(),
                    "the peers got " + groupTextsAtA + " and " + groupTextsAtB + " group texts, at most "
                            + reached.groupTexts() + " were sent before any violation: " + reached.script());
            if (reached.exact()) {
                assertEquals(reached.toA() + "/" + reached.toB(), textsToA + "/" + textsToB,
                        "texts the peers received from the fuzzed user: " + reached.script());
            }
            noErrors();
        }

        private Reached exercise(ChatClient client, List<Step> steps) throws Exception {
            long violationsBefore = server.stats().violations();
            // All steps and the barrier in one write: a write to a connection the server has just
            // closed may not complete before the client's 10 s timeout, and one write is faster.
            String barrier = "barrier-" + n;
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (Step step : steps) {
                stream.writeBytes(step.message() != null ? encode(step.message()) : step.raw());
            }
            stream.writeBytes(encode(text(self, self, barrier)));
            client.sendRaw(stream.toByteArray());

            int answers = 0;
            Outcome outcome = Outcome.TIMEOUT;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                Packet p = client.poll(Duration.ofMillis(5));
                if (p == null) {
                    if (!client.isConnected()) {
                        outcome = Outcome.CLOSED;
                        break;
                    }
                    continue;
                }
                if (p.body() instanceof PbC2CTextChat t && t.getTextMsg().equals(barrier)) {
                    outcome = Outcome.BARRIER;
                    break;
                }
                if (ANSWERS.contains(p.type())) {
                    answers++;
                }
            }

            int firstViolation = indexOf(steps, Expect.VIOLATION);
            int firstClose = Math.min(unlessAbsent(firstViolation, steps), unlessAbsent(indexOf(steps, Expect.CLOSES), steps));
            boolean allValid = steps.stream().allMatch(s -> s.expect() == Expect.VALID);
            String script = describe(steps);
            long violations = server.stats().violations() - violationsBefore;

            if (outcome == Outcome.TIMEOUT) {
                fail("neither the barrier nor a close within " + WAIT + " after " + script);
            }
            if (firstViolation >= 0 && outcome == Outcome.BARRIER) {
                fail("acted on a packet after the protocol violation at step " + firstViolation + ": " + script);
            }
            if (firstClose < steps.size()) {
                if (outcome == Outcome.BARRIER) { // a logout or second login: closes once flushed
                    assertTrue(client.awaitClosed(WAIT), "the connection is closed after " + script);
                }
                if (firstClose == firstViolation) {
                    assertTrue(violations >= 1, "the protocol violation is counted: " + script);
                }
            } else if (outcome == Outcome.CLOSED) {
                assertTrue(!allValid && violations >= 1,
                        "closed without a protocol violation (" + violations + " counted) after " + script);
            } else if (allValid) {
                long asked = steps.stream().filter(s -> PacketScript.ANSWERED.contains(s.type())).count();
                long groupTexts = steps.stream().filter(s -> s.type() == PacketType.GROUP_TEXT_CHAT).count();
                assertTrue(answers >= asked && answers <= asked + groupTexts,
                        answers + " answers to " + asked + " group requests (and " + groupTexts + " group texts): " + script);
            }

            // What may reach the peers: what was sent before the first violation, nothing after it;
            // when everything was valid, every text to a peer must arrive.
            List<Step> acted = firstViolation >= 0 ? steps.subList(0, firstViolation) : steps;
            Reached reached = new Reached(count(acted, s -> userA.equals(s.c2cTo())),
                    count(acted, s -> userB.equals(s.c2cTo())), count(acted, Step::groupText),
                    outcome == Outcome.BARRIER && allValid, script);
            awaitPeers(reached);
            return reached;
        }

        /** Reads what the peers got so far; when all was valid, waits (bounded) for every text. */
        private void awaitPeers(Reached reached) throws InterruptedException {
            long deadline = System.nanoTime() + (reached.exact() ? WAIT.toNanos() : 0);
            do {
                drainPeer(peerA, true);
                drainPeer(peerB, false);
                if (!reached.exact() || textsToA >= reached.toA() && textsToB >= reached.toB()) {
                    break;
                }
                Thread.sleep(2);
            } while (System.nanoTime() < deadline);
        }

        private void drainPeer(ChatClient peer, boolean isA) throws InterruptedException {
            Packet p;
            while ((p = peer.poll(Duration.ZERO)) != null) {
                countFromSelf(p, isA);
            }
        }

        private void countFromSelf(Packet p, boolean atA) {
            if (p.body() instanceof PbC2CTextChat t && t.getFromUuid().equals(self)) {
                if (atA) {
                    textsToA++;
                } else {
                    textsToB++;
                }
            } else if (p.body() instanceof PbGroupTextChat g && g.getFromUuid().equals(self)) {
                if (atA) {
                    groupTextsAtA++;
                } else {
                    groupTextsAtB++;
                }
            }
        }

        private PbServerNotifyBuildGroup buildGroup(ChatClient client, String owner, String name) throws Exception {
            client.send(PbClientBuildGroup.newBuilder().setGroupName(name).setTimestamp(ChatClient.now()).build());
            PbServerNotifyBuildGroup built = awaitAt(client, PbServerNotifyBuildGroup.class, b -> b.getGroupName().equals(name));
            assertTrue(built.getBuild(), owner + " could not build a group: " + built.getTipsMsg());
            return built;
        }

        /** The next packet of the kind that matches, counting on the way what came from the fuzzed user. */
        private <T extends Message> T awaitAt(ChatClient client, Class<T> kind, Predicate<T> match)
                throws InterruptedException, TimeoutException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no " + kind.getSimpleName() + " within " + WAIT
                            + (client.isConnected() ? "" : " (connection closed)") + "; input " + HexFormat.of().formatHex(input));
                }
                Packet p = client.receive(Duration.ofNanos(left));
                countFromSelf(p, client == peerA);
                if (kind.isInstance(p.body()) && match.test(kind.cast(p.body()))) {
                    return kind.cast(p.body());
                }
            }
        }
    }

    private enum Outcome { BARRIER, CLOSED, TIMEOUT }

    /** Texts the fuzzed user may have got to the peers; {@code exact}: must have, every one. */
    private record Reached(int toA, int toB, int groupTexts, boolean exact, String script) {
    }

    /** Logs the peers in; again when an earlier (failed) input left one of them disconnected. */
    private static void ensurePeers() throws Exception {
        if (peerA != null && peerA.isConnected() && peerB != null && peerB.isConnected()) {
            return;
        }
        long k = SEQ.incrementAndGet();
        userA = RUN + "-a" + k;
        userB = RUN + "-b" + k;
        peerA = loggedIn(userA);
        peerB = loggedIn(userB);
    }

    private static ChatClient loggedIn(String user) throws Exception {
        ChatClient c = connector.connect("127.0.0.1", server.localAddress().getPort());
        PbServerAcceptLogin answer = c.login(user);
        assertTrue(answer.getLogin(), "login of " + user + ": " + answer.getTipsMsg());
        return c;
    }

    private static void noErrors() {
        List<String> seen = errors.take();
        if (!seen.isEmpty()) {
            fail("the server logged errors or threads died:\n  " + String.join("\n  ", seen));
        }
    }

    /** A message's frame, as the client library would write it. */
    private static byte[] encode(Message message) {
        IoBuffer buffer = EncodedFrame.of(Packet.of(message), CIPHER).toBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    static PbC2CTextChat text(String from, String to, String text) {
        return PbC2CTextChat.newBuilder().setFromUuid(from).setToUuid(to).setTextMsg(text)
                .setTimestamp(ChatClient.now()).build();
    }

    private static int indexOf(List<Step> steps, Expect expect) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).expect() == expect) {
                return i;
            }
        }
        return -1;
    }

    private static int unlessAbsent(int index, List<Step> steps) {
        return index < 0 ? steps.size() : index;
    }

    private static int count(List<Step> steps, Predicate<Step> p) {
        return (int) steps.stream().filter(p).count();
    }

    private static String describe(List<Step> steps) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < steps.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(i).append(": ").append(steps.get(i).label())
                    .append(" (").append(steps.get(i).expect()).append(')');
        }
        return s.append(']').toString();
    }
}
