package io.github.chatserver.itest;

import static io.github.chatserver.itest.ChatListener.HOST;
import static io.github.chatserver.itest.ChatListener.accepts;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.client.ChatConnector;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbClientRequestGroupInfo;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseGroupInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operations in a real Karaf: live reconfiguration through ConfigurationAdmin (a port change rebinds,
 * a change of limits and timeouts keeps connected sessions, an invalid value is refused), a hot
 * {@code bundle.update()} of the server bundle under continuous traffic without losing a message, and
 * a graceful stop that stores what was queued for a slow reader and releases the port at once.
 *
 * <p>The test code uses only the client and protocol packages (feature chatserver-client): the server
 * bundle exports nothing, so updating it never refreshes this test's probe.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OperationsIT {
    private static final Logger LOG = LoggerFactory.getLogger(OperationsIT.class);
    private static final String CONFIG_FILE = "etc/io.github.chatserver.cfg";
    private static final String PID = "io.github.chatserver";
    private static final String SERVER_BUNDLE = "io.github.chatserver.bundle";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STARTUP = Duration.ofSeconds(60);

    /** Where the server listens now: the tests in this class move it. */
    private static volatile int port = -1;

    @Inject
    private BundleContext bundleContext;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private FeaturesService featuresService;

    /** The Karaf of {@link ChatServerIT}, with the overload limits out of the way of the traffic below. */
    @Configuration
    public Option[] config() {
        return Stream.concat(Arrays.stream(new ChatServerIT().config()), Stream.of(
                editConfigurationFilePut(CONFIG_FILE, "packetsPerSecond", "100000"),
                editConfigurationFilePut(CONFIG_FILE, "bytesPerSecond", "1000000000"),
                editConfigurationFilePut(CONFIG_FILE, "connectionsPerSecondPerAddress", "10000"),
                editConfigurationFilePut(CONFIG_FILE, "connectionBurstPerAddress", "10000"),
                editConfigurationFilePut(CONFIG_FILE, "maxConnectionsPerAddress", "10000"))).toArray(Option[]::new);
    }

    @Before
    public void awaitListener() throws Exception {
        if (port < 0) {
            port = ChatListener.configuredPort();
        }
        awaitAccepting(port);
    }

    // ---------------------------------------------------------------- reconfiguration

    @Test
    public void reconfigurationThroughConfigurationAdmin() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = loggedIn(port, alice); ChatClient b = loggedIn(port, bob)) {
            // 1. Limits and timeouts: applied in place, connected sessions stay connected.
            update(Map.of("idleTimeout", "30", "maxTextLength", "40"));
            awaitTextLimit(40);
            assertTrue("alice stayed connected", a.isConnected());
            assertTrue("bob stayed connected", b.isConnected());
            a.send(text(alice, bob, "after the in-place change"));
            assertEquals("after the in-place change", b.receive(PbC2CTextChat.class, TIMEOUT).getTextMsg());

            // 2. Invalid values: refused, the server keeps serving on its port with its configuration.
            for (Map<String, String> invalid : List.of(Map.of("port", "-1"),
                    Map.of("port", String.valueOf(port), "cipher", "rot13"))) {
                update(invalid);
                Thread.sleep(1_000); // nothing to observe but that nothing changes: give SCR time to act
                assertTrue("connected session survives " + invalid, a.isConnected() && b.isConnected());
                try (ChatClient fresh = loggedIn(port, user("fresh"))) {
                    assertTrue(fresh.isConnected());
                }
                b.send(text(bob, alice, "still served"));
                assertEquals("still served", a.receive(PbC2CTextChat.class, TIMEOUT).getTextMsg());
            }

            // 3. Port: rebinds; the new port accepts logins, the old one refuses connections.
            int oldPort = port;
            int newPort = ChatServerITPorts.free();
            update(Map.of("port", String.valueOf(newPort), "cipher", "legacy-aes"));
            awaitAccepting(newPort);
            port = newPort;
            try (ChatClient moved = loggedIn(newPort, user("moved"))) {
                assertTrue(moved.isConnected());
            }
            awaitRefusing(oldPort);
            assertTrue("the rebind closed the sessions of the old listener", a.awaitClosed(TIMEOUT));
        }
    }

    /** Sets keys of the PID through ConfigurationAdmin (what config:property-set + config:update do). */
    private void update(Map<String, String> changes) throws IOException {
        org.osgi.service.cm.Configuration configuration = configAdmin.getConfiguration(PID, null);
        Dictionary<String, Object> properties = configuration.getProperties();
        Hashtable<String, Object> next = new Hashtable<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            next.put(key, properties.get(key));
        }
        next.putAll(changes);
        LOG.info("Updating {} with {}", PID, changes);
        configuration.update(next);
    }

    /** Polls until a new session is closed for a text just over {@code limit} (the change is asynchronous). */
    private void awaitTextLimit(int limit) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            String probe = user("probe");
            try (ChatClient c = loggedIn(port, probe)) {
                c.send(text(probe, user("nobody"), "x".repeat(limit + 1)));
                if (c.awaitClosed(Duration.ofMillis(500))) {
                    return;
                }
            }
            assertTrue("maxTextLength " + limit + " not applied within " + TIMEOUT, System.nanoTime() < deadline);
        }
    }

    // ---------------------------------------------------------------- hot upgrade

    /**
     * Accounting. Each sender sends one-to-one texts with unique ids ("m-sender-seq") to its receiver,
     * and after every {@link #BATCH} texts a group info request (11). The server handles a connection's
     * packets in order, so the answer (12) proves that it has handled every text sent before it on that
     * connection: each was then written to the receiver's session or handed to offline storage. Those
     * texts are <em>accepted</em>. Texts of a batch whose answer never came (the connection closed
     * first, during the update) are <em>unconfirmed</em>: the server may or may not have read them.
     * Receivers reconnect when disconnected and request their offline messages after each login, every
     * second, and at the end until nothing more comes. Asserted: every accepted text was delivered
     * exactly once (live or from storage); an unconfirmed one at most once; nothing else was delivered.
     */
    private static final int SENDERS = 4;
    private static final int BATCH = 20;
    private static final long SEND_INTERVAL_MILLIS = 8;

    @Test
    public void bundleUpdateUnderTrafficLosesNoMessage() throws Exception {
        assertNoMessageLostAcross("bundle.update()", () -> {
            Bundle server = serverBundle();
            server.update(); // same jar: stop (graceful), new revision, start
            assertEquals(Bundle.ACTIVE, server.getState());
        });
    }

    /**
     * What an operator does to upgrade: add the features repository of the next release and
     * {@code feature:install --upgrade chatserver/<next>}. The "next release" is this build's server
     * bundle with a higher Bundle-Version, in a features repository that differs from this build's only
     * in that bundle and the feature's version.
     */
    @Test
    public void featureInstallOfANewerVersionUnderTrafficLosesNoMessage() throws Exception {
        NextRelease next = NextRelease.of(featuresService, serverBundle());
        featuresService.addRepository(next.repository());
        assertNoMessageLostAcross("feature:install --upgrade chatserver/" + next.version(), () -> {
            featuresService.installFeature("chatserver", next.version().toString(), EnumSet.of(FeaturesService.Option.Upgrade));
            assertEquals("the server bundle was upgraded", next.version(), serverBundle().getVersion());
            assertEquals(Bundle.ACTIVE, serverBundle().getState());
            assertTrue("the new feature is installed",
                    featuresService.isInstalled(featuresService.getFeature("chatserver", next.version().toString())));
            assertFalse("the old feature is gone",
                    featuresService.isInstalled(next.previous()));
        });
    }

    /**
     * Continuous traffic from {@link #SENDERS} senders to as many receivers, {@code upgrade} run in the
     * middle of it, then the accounting described above; also 50 messages stored before for a user who
     * stays away the whole time must all still be there.
     */
    private void assertNoMessageLostAcross(String what, ThrowingRunnable upgrade) throws Exception {
        String runId = UUID.randomUUID().toString().substring(0, 8);
        // Messages stored for a user who is offline during the whole update.
        String absent = "absent-" + runId;
        String early = "early-" + runId;
        int storedBefore = 50;
        try (ChatClient e = loggedIn(port, early)) {
            for (int i = 0; i < storedBefore; i++) {
                e.send(text(early, absent, "stored-" + i));
            }
            awaitHandled(e, early);
        }

        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Set<String> unconfirmed = ConcurrentHashMap.newKeySet();
        Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
        AtomicInteger live = new AtomicInteger();
        AtomicInteger fromStorage = new AtomicInteger();
        AtomicInteger reconnects = new AtomicInteger();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicBoolean receiving = new AtomicBoolean(true);
        List<Thread> senders = new ArrayList<>();
        List<Thread> receivers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            String from = "sender" + i + "-" + runId;
            String to = "receiver" + i + "-" + runId;
            int index = i;
            receivers.add(thread("receiver-" + i, failures, () -> receive(to, receiving, delivered, live, fromStorage, reconnects)));
            senders.add(thread("sender-" + i, failures, () -> send(index, from, to, sending, accepted, unconfirmed, reconnects)));
        }
        receivers.forEach(Thread::start);
        Thread.sleep(500);
        senders.forEach(Thread::start);

        Thread.sleep(3_000);
        long updateStart = System.nanoTime();
        upgrade.run();
        awaitAccepting(port);
        LOG.info("{} of {}: listener back in {} ms", what, SERVER_BUNDLE, (System.nanoTime() - updateStart) / 1_000_000);
        Thread.sleep(3_000);

        sending.set(false);
        for (Thread t : senders) {
            t.join(30_000);
        }
        // Drain: receivers keep asking for stored messages until every accepted text came or time is up.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!delivered.keySet().containsAll(accepted) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Thread.sleep(2_000); // anything delivered twice would come now
        receiving.set(false);
        for (Thread t : receivers) {
            t.join(30_000);
        }
        assertTrue("failures in client threads: " + failures, failures.isEmpty());

        List<String> lost = accepted.stream().filter(id -> !delivered.containsKey(id)).sorted().toList();
        List<String> twice = delivered.entrySet().stream().filter(e -> e.getValue().get() > 1)
                .map(e -> e.getKey() + "x" + e.getValue().get()).sorted().toList();
        List<String> unknown = delivered.keySet().stream()
                .filter(id -> !accepted.contains(id) && !unconfirmed.contains(id)).sorted().toList();
        long unconfirmedDelivered = unconfirmed.stream().filter(delivered::containsKey).count();
        String summary = String.format(what + " accounting: accepted=%d unconfirmed=%d (delivered %d of them) "
                        + "delivered=%d (live %d, from storage %d) lost=%d twice=%d unknown=%d reconnects=%d",
                accepted.size(), unconfirmed.size(), unconfirmedDelivered, delivered.size(), live.get(),
                fromStorage.get(), lost.size(), twice.size(), unknown.size(), reconnects.get());
        LOG.info(summary);
        System.out.println(summary);
        assertTrue("no traffic: " + summary, accepted.size() > 1_000);
        assertEquals("accepted but never delivered: " + lost, List.of(), lost);
        assertEquals("delivered more than once: " + twice, List.of(), twice);
        assertEquals("delivered but never sent: " + unknown, List.of(), unknown);

        // The messages stored before the update are all still there.
        try (ChatClient a = loggedIn(port, absent)) {
            List<String> stored = requestAllStored(a, absent, storedBefore);
            assertEquals(storedBefore, stored.size());
            assertEquals(storedBefore, Set.copyOf(stored).size());
        }
    }

    private void send(int index, String from, String to, AtomicBoolean sending, Set<String> accepted,
                      Set<String> unconfirmed, AtomicInteger reconnects) throws Exception {
        int seq = 0;
        ChatClient client = connectRetrying(from, reconnects);
        try {
            while (sending.get()) {
                List<String> batch = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++) {
                    String id = "m-" + index + "-" + seq++;
                    batch.add(id);
                    client.send(text(from, to, id));
                    Thread.sleep(SEND_INTERVAL_MILLIS);
                }
                boolean handled;
                try {
                    handled = client.isConnected() && awaitHandled(client, from);
                } catch (TimeoutException | IllegalStateException e) {
                    handled = false;
                }
                (handled ? accepted : unconfirmed).addAll(batch);
                if (!handled) {
                    client.close();
                    client = connectRetrying(from, reconnects);
                }
            }
        } finally {
            client.close();
        }
    }

    private void receive(String me, AtomicBoolean receiving, Map<String, AtomicInteger> delivered,
                         AtomicInteger live, AtomicInteger fromStorage, AtomicInteger reconnects) throws Exception {
        ChatClient client = connectRetrying(me, reconnects);
        long lastRequest = 0;
        try {
            while (receiving.get()) {
                if (!client.isConnected()) {
                    Packet left; // what arrived before the close still counts
                    while ((left = client.poll(Duration.ZERO)) != null) {
                        count(left, delivered, live, fromStorage);
                    }
                    client.close();
                    client = connectRetrying(me, reconnects);
                    lastRequest = 0;
                }
                if (System.nanoTime() - lastRequest > 1_000_000_000L) {
                    client.send(offlineRequest(me));
                    lastRequest = System.nanoTime();
                }
                Packet packet = client.poll(Duration.ofMillis(100));
                if (packet != null) {
                    count(packet, delivered, live, fromStorage);
                }
            }
        } finally {
            client.close();
        }
    }

    private static void count(Packet packet, Map<String, AtomicInteger> delivered, AtomicInteger live,
                              AtomicInteger fromStorage) {
        if (packet.body() instanceof PbC2CTextChat t) {
            live.incrementAndGet();
            delivered.computeIfAbsent(t.getTextMsg(), k -> new AtomicInteger()).incrementAndGet();
        } else if (packet.body() instanceof PbServerResponseC2COfflineMsg s) {
            fromStorage.incrementAndGet();
            delivered.computeIfAbsent(s.getTextMsg(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Connects and logs in, retrying while the server is away (during the update). */
    private static ChatClient connectRetrying(String uuid, AtomicInteger reconnects) throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            ChatClient client = null;
            try {
                client = ChatClient.connect(HOST, port);
                PbServerAcceptLogin answer = client.login(uuid);
                if (answer.getLogin()) {
                    reconnects.incrementAndGet();
                    return client;
                }
                client.close();
            } catch (IOException | TimeoutException | IllegalStateException e) {
                if (client != null) {
                    client.close();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(uuid + " could not log in again within " + STARTUP);
            }
            Thread.sleep(50);
        }
    }

    // ---------------------------------------------------------------- graceful stop

    /**
     * A reader that does not read: what the server queued for it (in MINA, beyond the socket buffers) is
     * stored offline when the bundle stops, and the port is free the moment stop() returns. Every text
     * then reaches the reader exactly once: from its socket buffers, or from storage after the restart.
     */
    @Test
    public void stoppingTheBundleStoresWhatIsQueuedForASlowReaderAndReleasesThePort() throws Exception {
        String writer = user("writer");
        String reader = user("reader");
        // About 7.6 MB for a reader whose socket takes 8 KB: more than the kernel buffers on both
        // sides hold (the server's send buffer grows to 4 MB), so MINA must still hold some at the stop.
        int count = 4_000;
        String padding = "p".repeat(1_900);
        Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
        Bundle server = serverBundle();
        try (ChatConnector smallBuffer = ChatConnector.legacy().receiveBufferSize(8192);
             ChatClient w = loggedIn(port, writer); ChatClient r = smallBuffer.connect(HOST, port)) {
            assertTrue("login of the reader", r.login(reader).getLogin());
            r.pauseReading();
            for (int i = 0; i < count; i++) {
                w.send(text(writer, reader, i + ":" + padding));
            }
            awaitHandled(w, writer); // all handled: written to the reader's queue
            server.stop();
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            } catch (IOException e) {
                throw new AssertionError("port " + port + " not released at once by stop()", e);
            }
            r.resumeReading();
            Packet packet;
            while ((packet = r.poll(Duration.ofSeconds(2))) != null) {
                if (packet.body() instanceof PbC2CTextChat t) {
                    delivered.computeIfAbsent(idOf(t.getTextMsg()), k -> new AtomicInteger()).incrementAndGet();
                }
            }
            assertFalse("the stop closed the reader's connection", r.isConnected());
        } finally {
            server.start();
            awaitAccepting(port);
        }
        int live = delivered.size();
        try (ChatClient again = loggedIn(port, reader)) {
            List<String> stored = requestAllStored(again, reader, count - live);
            stored.forEach(text -> delivered.computeIfAbsent(idOf(text), k -> new AtomicInteger()).incrementAndGet());
            String summary = "graceful stop: " + count + " sent, " + live + " read from the socket, " + stored.size()
                    + " from storage";
            LOG.info(summary);
            System.out.println(summary);
            assertTrue("nothing was left queued, so nothing was stored: " + summary, stored.size() > 0);
        }
        assertEquals("distinct texts delivered", count, delivered.size());
        assertTrue("some text delivered twice", delivered.values().stream().allMatch(n -> n.get() == 1));
    }

    private static String idOf(String text) {
        return text.substring(0, text.indexOf(':'));
    }

    // ---------------------------------------------------------------- helpers

    /** Requests stored one-to-one texts until {@code count} came (storage is asynchronous) or TIMEOUT. */
    private static List<String> requestAllStored(ChatClient client, String me, int count) throws Exception {
        List<String> texts = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (texts.size() < count && System.nanoTime() < deadline) {
            client.send(offlineRequest(me));
            Packet packet;
            while ((packet = client.poll(Duration.ofMillis(1_000))) != null) {
                if (packet.body() instanceof PbServerResponseC2COfflineMsg s) {
                    texts.add(s.getTextMsg());
                }
            }
        }
        return texts;
    }

    private static PbClientRequestC2COfflineMsg offlineRequest(String me) {
        return PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(me).setTimestamp(ChatClient.now()).build();
    }

    /** True once the server answered a group info request: it handled everything sent before it. */
    private static boolean awaitHandled(ChatClient client, String user) throws TimeoutException, InterruptedException {
        client.send(PbClientRequestGroupInfo.newBuilder().setFromUuid(user).setTimestamp(ChatClient.now()).build());
        return client.receive(PbServerResponseGroupInfo.class, Duration.ofSeconds(5)) != null;
    }

    private static Thread thread(String name, List<Throwable> failures, ThrowingRunnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                LOG.error("{} failed", name, e);
                synchronized (failures) {
                    failures.add(e);
                }
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private Bundle serverBundle() {
        return Arrays.stream(bundleContext.getBundles())
                .filter(b -> SERVER_BUNDLE.equals(b.getSymbolicName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("bundle " + SERVER_BUNDLE + " is not installed"));
    }

    private static ChatClient loggedIn(int port, String uuid) throws Exception {
        ChatClient client = ChatClient.connect(HOST, port);
        PbServerAcceptLogin answer = client.login(uuid);
        assertTrue("login of " + uuid + " refused: " + answer.getTipsMsg(), answer.getLogin());
        return client;
    }

    private static PbC2CTextChat text(String from, String to, String text) {
        return PbC2CTextChat.newBuilder().setFromUuid(from).setToUuid(to).setTextMsg(text)
                .setTimestamp(ChatClient.now()).build();
    }

    private static String user(String name) {
        return name + "-" + UUID.randomUUID();
    }

    private static void awaitAccepting(int port) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!accepts(port)) {
            assertTrue("no listener on " + port + " within " + STARTUP + "; see itest/target/karaf.log",
                    System.nanoTime() < deadline);
            Thread.sleep(50);
        }
    }

    private static void awaitRefusing(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (accepts(port)) {
            assertTrue("port " + port + " still accepts after " + TIMEOUT, System.nanoTime() < deadline);
            Thread.sleep(50);
        }
    }

    /** A free loopback port, picked inside the container. */
    private static final class ChatServerITPorts {
        static int free() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }
    }
}
