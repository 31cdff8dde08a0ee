package io.github.chatserver.itest;

import static io.github.chatserver.itest.ChatListener.HOST;
import static io.github.chatserver.itest.ChatListener.accepts;
import static io.github.chatserver.itest.ChatListener.configuredPort;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import com.google.protobuf.Message;
import io.github.chatserver.client.ChatClient;
import io.github.chatserver.codec.Packet;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientDisbandGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientLeaveGroup;
import io.github.chatserver.protocol.PbClientLogout;
import io.github.chatserver.protocol.PbClientRequestC2COfflineMsg;
import io.github.chatserver.protocol.PbClientRequestGroupInfo;
import io.github.chatserver.protocol.PbClientRequestGroupOfflineMsg;
import io.github.chatserver.protocol.PbGroupInfo;
import io.github.chatserver.protocol.PbGroupTextChat;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyDisbandGroup;
import io.github.chatserver.protocol.PbServerNotifyJoinGroup;
import io.github.chatserver.protocol.PbServerNotifyLeaveGroup;
import io.github.chatserver.protocol.PbServerResponseC2COfflineMsg;
import io.github.chatserver.protocol.PbServerResponseGroupInfo;
import io.github.chatserver.protocol.PbServerResponseGroupOfflineMsg;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.MavenUtils;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Boots Karaf once for this class, installs features {@code chatserver} and {@code chatserver-client}
 * from the built features repository, and talks to the server over TCP from inside the container.
 * Karaf's log is kept in {@code itest/target/karaf.log} (appended to by each run until {@code mvn clean});
 * the unpacked Karaf under {@code target/exam/} is deleted after the run.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ChatServerIT {
    private static final Logger LOG = LoggerFactory.getLogger(ChatServerIT.class);
    private static final String GROUP_ID = "io.github.chatserver";
    private static final String SERVER_BUNDLE = "io.github.chatserver.bundle";
    private static final String CONFIG_FILE = "etc/io.github.chatserver.cfg";
    private static final String PID = "io.github.chatserver";
    /** Carry the chat port chosen on the host, and the project version, into the container. */
    private static final String VERSION_PROPERTY = "chatserver.itest.version";
    /** Outlives the container; resolved on the host, whose working directory is the module. */
    private static final File KARAF_LOG = new File("target/karaf.log");
    private static final Duration LISTENER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /**
     * Storing an offline message is asynchronous (the sender gets no acknowledgement), so a request for
     * stored messages is repeated, each time waiting this long for an answer, until {@link #TIMEOUT}.
     */
    private static final Duration OFFLINE_RETRY = Duration.ofSeconds(1);
    /** docs/PROTOCOL.md §4, Groups: 22 URL-safe base64 characters. */
    private static final Pattern GROUP_ID_FORMAT = Pattern.compile("[A-Za-z0-9_-]{22}");

    @Inject
    private BundleContext bundleContext;

    @Inject
    private ServiceComponentRuntime scr;

    @Inject
    private MetaTypeService metaType;

    @Configuration
    public Option[] config() {
        String karafVersion = MavenUtils.getArtifactVersion("org.apache.karaf", "apache-karaf");
        String localRepository = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        int[] ports = HostFixtures.freePorts(2);
        int chatPort = ports[0];
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(maven().groupId("org.apache.karaf").artifactId("apache-karaf")
                            .type("tar.gz").versionAsInProject())
                    .karafVersion(karafVersion)
                    .unpackDirectory(new File("target/exam"))
                    .useDeployFolder(false),
            configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
            javaModuleFlags(karafVersion),
            logLevel(LogLevel.INFO),
            editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.appender.rolling.fileName",
                    KARAF_LOG.getAbsolutePath()),
            editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.appender.rolling.filePattern",
                    KARAF_LOG.getAbsolutePath() + ".%i"),
            // Off the default ports, on loopback: a developer's own Karaf may be running. Pax Exam itself
            // already puts rmiRegistryPort and rmiServerPort on free ports.
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshHost", HOST),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(ports[1])),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryHost", HOST),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerHost", HOST),
            // This build's artifacts come from target/repository (staged by the pom) before anything else;
            // the rest from the build's local repository, and from Central on a cold cache.
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                    new File("target/repository").toURI() + "@id=chatserver-build@snapshots, "
                    + "${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots"),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", localRepository),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories",
                    "https://repo1.maven.org/maven2@id=central"),
            // The server's configuration, in place before the feature installs (its configfile does not override).
            editConfigurationFilePut(CONFIG_FILE, "port", String.valueOf(chatPort)),
            editConfigurationFilePut(CONFIG_FILE, "bindAddress", HOST),
            editConfigurationFilePut(CONFIG_FILE, "redisAddress", HostFixtures.redisAddress()),
            systemProperty(ChatListener.PORT_PROPERTY).value(String.valueOf(chatPort)),
            systemProperty(VERSION_PROPERTY).value(MavenUtils.getArtifactVersion(GROUP_ID, "chatserver-features")),
            features(maven().groupId(GROUP_ID).artifactId("chatserver-features")
                    .type("xml").classifier("features").versionAsInProject(), "chatserver", "chatserver-client"),
        };
    }

    /**
     * The JVM flags bin/karaf passes on Java 9+, which Pax Exam does not: without them karaf.log fills with
     * {@code NoClassDefFoundError: org/apache/karaf/specs/locator/OsgiLocator}. Paths are relative to the
     * container's working directory, the unpacked Karaf.
     */
    private static Option javaModuleFlags(String karafVersion) {
        return vmOptions(
                "--add-reads=java.xml=java.logging",
                "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                "--patch-module=java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar",
                "--patch-module=java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar",
                "--add-opens=java.base/java.security=ALL-UNNAMED",
                "--add-opens=java.base/java.net=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens=java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
                "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
                "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED");
    }

    /** Waits for the listener: the component binds it when it activates, some time after the feature is installed. */
    @Before
    public void awaitListener() throws InterruptedException {
        long deadline = System.nanoTime() + LISTENER_TIMEOUT.toNanos();
        while (!accepts(configuredPort())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("The chat listener did not accept on " + HOST + ":" + configuredPort()
                        + " within " + LISTENER_TIMEOUT + "; see itest/target/karaf.log");
            }
            Thread.sleep(100); // poll interval until the deadline
        }
    }

    @Test
    public void serverBundleIsActiveAndItsComponentRunsWithTheFileConfiguration() {
        Bundle server = serverBundle();
        assertEquals("state of " + SERVER_BUNDLE, Bundle.ACTIVE, server.getState());

        Collection<ComponentDescriptionDTO> components = scr.getComponentDescriptionDTOs(server);
        assertFalse("no DS component in " + SERVER_BUNDLE, components.isEmpty());
        for (ComponentDescriptionDTO component : components) {
            assertTrue("component " + component.name + " is not enabled", scr.isComponentEnabled(component));
            Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(component);
            assertEquals("configurations of " + component.name, 1, configurations.size());
            ComponentConfigurationDTO configuration = configurations.iterator().next();
            assertEquals("state of " + component.name + " (failure: " + configuration.failure + ")",
                    ComponentConfigurationDTO.ACTIVE, configuration.state);
            if (Arrays.asList(component.configurationPid).contains(PID)) { // the server, not the metrics MBean
                assertEquals(String.valueOf(configuredPort()), String.valueOf(configuration.properties.get("port")));
            }
        }
    }

    /** The .cfg that feature chatserver installs lists every key of the server's metatype, at its default. */
    @Test
    public void shippedConfigurationFileHasEveryKeyAtItsDefault() throws IOException {
        ObjectClassDefinition definition = metaType.getMetaTypeInformation(serverBundle())
                .getObjectClassDefinition(PID, null);
        Properties shipped = new Properties();
        // The configfile URL of feature chatserver, resolved as Karaf resolves it.
        URL configFile = new URL("mvn:" + GROUP_ID + "/chatserver-features/"
                + System.getProperty(VERSION_PROPERTY) + "/cfg/configuration");
        try (InputStream in = configFile.openStream()) {
            shipped.load(in);
        }
        Map<String, String> expected = new TreeMap<>();
        for (AttributeDefinition attribute : definition.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            String[] defaults = attribute.getDefaultValue();
            expected.put(attribute.getID(), defaults == null ? "" : String.join(",", defaults));
        }
        Map<String, String> actual = new TreeMap<>();
        shipped.stringPropertyNames().forEach(key -> actual.put(key, shipped.getProperty(key)));
        assertEquals("keys and values of " + configFile, expected, actual);
    }

    @Test
    public void twoUsersExchangeMessagesBothWays() throws IOException, TimeoutException, InterruptedException {
        String alice = uniqueUser("alice");
        String bob = uniqueUser("bob");
        try (ChatClient aliceClient = loggedIn(alice); ChatClient bobClient = loggedIn(bob)) {
            aliceClient.send(textChat(alice, bob, "hello bob"));
            assertDelivered(bobClient.receive(PbC2CTextChat.class, TIMEOUT), alice, bob, "hello bob");

            bobClient.send(textChat(bob, alice, "hello alice"));
            assertDelivered(aliceClient.receive(PbC2CTextChat.class, TIMEOUT), bob, alice, "hello alice");
        }
    }

    @Test
    public void spoofedSenderIsDisconnectedAndNothingIsDelivered()
            throws IOException, TimeoutException, InterruptedException {
        String alice = uniqueUser("alice");
        String bob = uniqueUser("bob");
        String mallory = uniqueUser("mallory");
        try (ChatClient aliceClient = loggedIn(alice);
             ChatClient bobClient = loggedIn(bob);
             ChatClient malloryClient = loggedIn(mallory)) {
            malloryClient.send(textChat(alice, bob, "spoofed"));
            assertTrue("the server did not close the spoofer's connection", malloryClient.awaitClosed(TIMEOUT));

            // Had the spoofed message been delivered, it would reach bob before this one.
            aliceClient.send(textChat(alice, bob, "genuine"));
            assertDelivered(bobClient.receive(PbC2CTextChat.class, TIMEOUT), alice, bob, "genuine");
        }
    }

    /**
     * docs/PROTOCOL.md §4, Groups, in order: build, join (notice to every online member), group text,
     * group info, leave (notice to the remaining members and the leaver), disband (notice to the owner
     * and the online members; the group is gone). Every client takes its packets with
     * {@code receive(Class, ...)}, which fails on any packet of another type in between, so nothing
     * unexpected (an echo of one's own text, a notice to a former member) can slip by unnoticed.
     */
    @Test
    public void groupIsBuiltJoinedUsedLeftAndDisbanded() throws IOException, TimeoutException, InterruptedException {
        String owner = uniqueUser("owner");
        String bob = uniqueUser("bob");
        String carol = uniqueUser("carol");
        String groupName = "lifecycle " + UUID.randomUUID();
        long start = ChatClient.now();
        try (ChatClient ownerClient = loggedIn(owner);
             ChatClient bobClient = loggedIn(bob);
             ChatClient carolClient = loggedIn(carol)) {
            // Build (13 -> 14)
            String groupId = buildGroup(ownerClient, owner, groupName, start);

            // Join (17 -> 18 to every online member, the newcomer included)
            bobClient.send(join(bob, groupId));
            assertJoined(ownerClient.receive(PbServerNotifyJoinGroup.class, TIMEOUT), bob, groupId, groupName);
            assertJoined(bobClient.receive(PbServerNotifyJoinGroup.class, TIMEOUT), bob, groupId, groupName);
            carolClient.send(join(carol, groupId));
            assertJoined(ownerClient.receive(PbServerNotifyJoinGroup.class, TIMEOUT), carol, groupId, groupName);
            assertJoined(bobClient.receive(PbServerNotifyJoinGroup.class, TIMEOUT), carol, groupId, groupName);
            assertJoined(carolClient.receive(PbServerNotifyJoinGroup.class, TIMEOUT), carol, groupId, groupName);

            // Group text (8) reaches every other member, with the real sender and the server's time
            bobClient.send(groupText(bob, groupId, "hello group"));
            assertGroupText(ownerClient.receive(PbGroupTextChat.class, TIMEOUT), bob, groupId, "hello group", start);
            assertGroupText(carolClient.receive(PbGroupTextChat.class, TIMEOUT), bob, groupId, "hello group", start);
            ownerClient.send(groupText(owner, groupId, "hello from the owner"));
            assertGroupText(bobClient.receive(PbGroupTextChat.class, TIMEOUT), owner, groupId, "hello from the owner", start);
            assertGroupText(carolClient.receive(PbGroupTextChat.class, TIMEOUT), owner, groupId, "hello from the owner", start);

            // Group info (11 -> 12): owner apart, the other members sorted, owner not among them
            List<String> others = new ArrayList<>(List.of(bob, carol));
            others.sort(null);
            assertOnlyGroup(groupInfo(ownerClient, owner), owner, groupId, groupName, owner, others);
            assertOnlyGroup(groupInfo(bobClient, bob), bob, groupId, groupName, owner, others);

            // Leave (19 -> 20 to the remaining online members and to the leaver)
            bobClient.send(PbClientLeaveGroup.newBuilder()
                    .setFromUuid(bob).setGroupId(groupId).setTimestamp(ChatClient.now()).build());
            assertLeft(ownerClient.receive(PbServerNotifyLeaveGroup.class, TIMEOUT), bob, groupId, groupName);
            assertLeft(carolClient.receive(PbServerNotifyLeaveGroup.class, TIMEOUT), bob, groupId, groupName);
            assertLeft(bobClient.receive(PbServerNotifyLeaveGroup.class, TIMEOUT), bob, groupId, groupName);
            assertOnlyGroup(groupInfo(ownerClient, owner), owner, groupId, groupName, owner, List.of(carol));
            assertEquals("groups of " + bob + " after leaving", 0, groupInfo(bobClient, bob).getAllGroupInfoCount());

            // Group text after the leave no longer reaches bob (checked below: his next packet is another one)
            carolClient.send(groupText(carol, groupId, "bob has gone"));
            assertGroupText(ownerClient.receive(PbGroupTextChat.class, TIMEOUT), carol, groupId, "bob has gone", start);

            // Disband (15 -> 16 with disband=true to the owner and every online member)
            ownerClient.send(PbClientDisbandGroup.newBuilder()
                    .setFromUuid(owner).setGroupId(groupId).setTimestamp(ChatClient.now()).build());
            assertDisbanded(ownerClient.receive(PbServerNotifyDisbandGroup.class, TIMEOUT), groupId, groupName);
            assertDisbanded(carolClient.receive(PbServerNotifyDisbandGroup.class, TIMEOUT), groupId, groupName);
            assertEquals("groups of " + owner + " after disbanding", 0, groupInfo(ownerClient, owner).getAllGroupInfoCount());
            assertEquals("groups of " + carol + " after disbanding", 0, groupInfo(carolClient, carol).getAllGroupInfoCount());

            // Bob, a former member, heard of neither: anything queued for him came before this message.
            ownerClient.send(textChat(owner, bob, "after the disband"));
            assertDelivered(bobClient.receive(PbC2CTextChat.class, TIMEOUT), owner, bob, "after the disband");
        }
    }

    /**
     * docs/PROTOCOL.md §4, Offline messages: one-to-one texts to a user who is not online are stored
     * and served, oldest first, with the real sender, to that user's own request (6 -> 7).
     */
    @Test
    public void c2cTextToAnOfflineUserIsServedAfterLogin() throws IOException, TimeoutException, InterruptedException {
        String alice = uniqueUser("alice");
        String bob = uniqueUser("bob"); // never logged in before: certainly offline
        long start = ChatClient.now();
        try (ChatClient aliceClient = loggedIn(alice)) {
            aliceClient.send(textChat(alice, bob, "first, while you were away"));
            aliceClient.send(textChat(alice, bob, "second, while you were away"));
            // Sending returns before the server has read the texts: without this, bob's login below could
            // overtake them, and they would (rightly) reach him live.
            awaitHandled(aliceClient, alice);
        }
        try (ChatClient bobClient = loggedIn(bob)) {
            List<PbServerResponseC2COfflineMsg> stored = requestStored(bobClient, 2, PbServerResponseC2COfflineMsg.class,
                    () -> PbClientRequestC2COfflineMsg.newBuilder().setFromUuid(bob).setTimestamp(ChatClient.now()).build());
            assertStoredC2C(stored.get(0), alice, bob, "first, while you were away", start);
            assertStoredC2C(stored.get(1), alice, bob, "second, while you were away", start);
        }
    }

    /**
     * docs/PROTOCOL.md §4, Groups and Offline messages: group text to a member who is not online is
     * stored and served later as type 10 to that member's own request (9), oldest first.
     */
    @Test
    public void groupTextToAnOfflineMemberIsServedAfterLogin() throws IOException, TimeoutException, InterruptedException {
        String owner = uniqueUser("owner");
        String dave = uniqueUser("dave");
        String groupName = "offline " + UUID.randomUUID();
        long start = ChatClient.now();
        try (ChatClient ownerClient = loggedIn(owner)) {
            String groupId = buildGroup(ownerClient, owner, groupName, start);
            try (ChatClient daveClient = loggedIn(dave)) {
                daveClient.send(join(dave, groupId));
                assertJoined(daveClient.receive(PbServerNotifyJoinGroup.class, TIMEOUT), dave, groupId, groupName);
                assertJoined(ownerClient.receive(PbServerNotifyJoinGroup.class, TIMEOUT), dave, groupId, groupName);
                // Log out (3): the server closes the connection, and dave is offline from then on.
                daveClient.send(PbClientLogout.newBuilder().setLogout(true).setTimestamp(ChatClient.now()).build());
                assertTrue("the server did not close the connection after a logout", daveClient.awaitClosed(TIMEOUT));
            }
            ownerClient.send(groupText(owner, groupId, "first, for the absent"));
            ownerClient.send(groupText(owner, groupId, "second, for the absent"));
            awaitHandled(ownerClient, owner); // before dave logs in again, as in the one-to-one test

            try (ChatClient daveClient = loggedIn(dave)) {
                List<PbServerResponseGroupOfflineMsg> stored = requestStored(daveClient, 2,
                        PbServerResponseGroupOfflineMsg.class,
                        () -> PbClientRequestGroupOfflineMsg.newBuilder().setFromUuid(dave)
                                .setTimestamp(ChatClient.now()).build());
                assertStoredGroupText(stored.get(0), owner, groupId, "first, for the absent", start);
                assertStoredGroupText(stored.get(1), owner, groupId, "second, for the absent", start);
                // Still a member after coming back: live group text reaches dave again.
                ownerClient.send(groupText(owner, groupId, "welcome back"));
                assertGroupText(daveClient.receive(PbGroupTextChat.class, TIMEOUT), owner, groupId, "welcome back", start);
            }
        }
    }

    /** Builds a group and returns its id, after checking the server's answer (14). */
    private static String buildGroup(ChatClient client, String owner, String name, long start)
            throws TimeoutException, InterruptedException {
        client.send(PbClientBuildGroup.newBuilder().setGroupName(name).setTimestamp(ChatClient.now()).build());
        PbServerNotifyBuildGroup built = client.receive(PbServerNotifyBuildGroup.class, TIMEOUT);
        assertTrue("build refused: " + built.getTipsMsg(), built.getBuild());
        assertTrue("group_id '" + built.getGroupId() + "' is not 22 URL-safe base64 characters",
                GROUP_ID_FORMAT.matcher(built.getGroupId()).matches());
        assertEquals(name, built.getGroupName());
        assertEquals(owner, built.getOwnerUuid());
        assertServerTime(built.getTimestamp(), start);
        return built.getGroupId();
    }

    private static PbServerResponseGroupInfo groupInfo(ChatClient client, String user)
            throws TimeoutException, InterruptedException {
        client.send(PbClientRequestGroupInfo.newBuilder().setFromUuid(user).setTimestamp(ChatClient.now()).build());
        PbServerResponseGroupInfo info = client.receive(PbServerResponseGroupInfo.class, TIMEOUT);
        assertEquals(user, info.getFromUuid());
        return info;
    }

    /**
     * Returns once the server has handled everything this client sent before: it handles a connection's
     * packets in arrival order, so the answer to a group info request (11 -> 12) comes after that.
     */
    private static void awaitHandled(ChatClient client, String user) throws TimeoutException, InterruptedException {
        groupInfo(client, user);
    }

    /**
     * Requests stored messages until {@code count} have come, or {@link #TIMEOUT} passes. The request is
     * repeated because the sender's message is stored asynchronously: a request may overtake it (a
     * request while a delivery runs is ignored, and delivered messages are removed, so none comes twice).
     */
    private static <T extends Message> List<T> requestStored(ChatClient client, int count,
            Class<T> kind, Supplier<Message> request) throws TimeoutException, InterruptedException {
        List<T> received = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int requests = 0;
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Only " + received.size() + " of " + count + " stored "
                        + kind.getSimpleName() + " within " + TIMEOUT + " and " + requests + " requests: " + received);
            }
            if (requests > 0) {
                LOG.info("{} of {} stored {} after request {}: asking again", received.size(), count,
                        kind.getSimpleName(), requests);
            }
            client.send(request.get());
            requests++;
            Packet packet;
            while (received.size() < count && (packet = client.poll(OFFLINE_RETRY)) != null) {
                if (!kind.isInstance(packet.body())) {
                    throw new AssertionError("Expected " + kind.getSimpleName() + " but received " + packet.type()
                            + ": " + packet.body());
                }
                received.add(kind.cast(packet.body()));
            }
        }
        return received;
    }

    private static PbClientJoinGroup join(String user, String groupId) {
        return PbClientJoinGroup.newBuilder()
                .setFromUuid(user).setGroupId(groupId).setTimestamp(ChatClient.now()).build();
    }

    private static PbGroupTextChat groupText(String from, String groupId, String text) {
        return PbGroupTextChat.newBuilder()
                .setFromUuid(from).setGroupId(groupId).setTextMsg(text).setTimestamp(ChatClient.now()).build();
    }

    private static void assertJoined(PbServerNotifyJoinGroup notice, String applicant, String groupId, String name) {
        assertEquals(applicant, notice.getApplicantUuid());
        assertEquals(groupId, notice.getGroupId());
        assertEquals(name, notice.getGroupName());
        assertNotEquals(0, notice.getTimestamp());
    }

    private static void assertLeft(PbServerNotifyLeaveGroup notice, String leaver, String groupId, String name) {
        assertEquals(leaver, notice.getLeaverUuid());
        assertEquals(groupId, notice.getGroupId());
        assertEquals(name, notice.getGroupName());
        assertNotEquals(0, notice.getTimestamp());
    }

    private static void assertDisbanded(PbServerNotifyDisbandGroup notice, String groupId, String name) {
        assertTrue("disband refused: " + notice.getTipsMsg(), notice.getDisband());
        assertEquals(groupId, notice.getGroupId());
        assertEquals(name, notice.getGroupName());
        assertNotEquals(0, notice.getTimestamp());
    }

    private static void assertGroupText(PbGroupTextChat received, String from, String groupId, String text, long start) {
        assertEquals(text, received.getTextMsg());
        assertEquals(from, received.getFromUuid());
        assertEquals(groupId, received.getGroupId());
        assertServerTime(received.getTimestamp(), start);
    }

    private static void assertStoredGroupText(PbServerResponseGroupOfflineMsg stored, String from, String groupId,
                                              String text, long start) {
        assertEquals(text, stored.getTextMsg());
        assertEquals(from, stored.getFromUuid());
        assertEquals(groupId, stored.getGroupId());
        assertServerTime(stored.getTimestamp(), start);
    }

    private static void assertStoredC2C(PbServerResponseC2COfflineMsg stored, String from, String to, String text,
                                        long start) {
        assertEquals(text, stored.getTextMsg());
        assertEquals(from, stored.getFromUuid());
        assertEquals(to, stored.getToUuid());
        assertServerTime(stored.getTimestamp(), start);
    }

    private static void assertOnlyGroup(PbServerResponseGroupInfo info, String requester, String groupId, String name,
                                        String owner, List<String> otherMembers) {
        assertEquals("groups of " + requester + ": " + info, 1, info.getAllGroupInfoCount());
        PbGroupInfo group = info.getAllGroupInfo(0);
        assertEquals(groupId, group.getGroupId());
        assertEquals(name, group.getGroupName());
        assertEquals(owner, group.getOwnerUuid());
        assertEquals("members besides the owner", otherMembers, group.getMemberUuidList());
        assertNotEquals(0, info.getTimestamp());
    }

    /** The server stamps its own clock (Unix seconds) on what it sends: within this test's run. */
    private static void assertServerTime(long timestamp, long start) {
        long now = ChatClient.now();
        assertTrue("timestamp " + timestamp + " not within [" + start + ", " + now + "]",
                timestamp >= start - 1 && timestamp <= now + 1);
    }

    private Bundle serverBundle() {
        return Arrays.stream(bundleContext.getBundles())
                .filter(b -> SERVER_BUNDLE.equals(b.getSymbolicName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("bundle " + SERVER_BUNDLE + " is not installed"));
    }

    private static ChatClient loggedIn(String uuid) throws IOException, TimeoutException, InterruptedException {
        ChatClient client = ChatClient.connect(HOST, configuredPort());
        PbServerAcceptLogin answer = client.login(uuid);
        assertTrue("login of " + uuid + " refused: " + answer.getTipsMsg(), answer.getLogin());
        return client;
    }

    private static PbC2CTextChat textChat(String from, String to, String text) {
        return PbC2CTextChat.newBuilder()
                .setFromUuid(from).setToUuid(to).setTextMsg(text).setTimestamp(ChatClient.now())
                .build();
    }

    private static void assertDelivered(PbC2CTextChat received, String from, String to, String text) {
        assertEquals(text, received.getTextMsg());
        assertEquals(from, received.getFromUuid());
        assertEquals(to, received.getToUuid());
    }

    private static String uniqueUser(String name) {
        return name + "-" + UUID.randomUUID();
    }
}
