package io.github.chatserver.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
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

/**
 * Boots Karaf once for this class, installs features {@code chatserver} and {@code chatserver-client}
 * from the built features repository, and talks to the server over TCP from inside the container.
 * Karaf's log is kept in {@code itest/target/karaf.log} (appended to by each run until {@code mvn clean});
 * the unpacked Karaf under {@code target/exam/} is deleted after the run.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ChatServerIT {
    private static final String GROUP_ID = "io.github.chatserver";
    private static final String SERVER_BUNDLE = "io.github.chatserver.bundle";
    private static final String CONFIG_FILE = "etc/io.github.chatserver.cfg";
    private static final String PID = "io.github.chatserver";
    /** Carry the chat port chosen on the host, and the project version, into the container. */
    private static final String PORT_PROPERTY = "chatserver.itest.port";
    private static final String VERSION_PROPERTY = "chatserver.itest.version";
    private static final String HOST = "127.0.0.1";
    /** Outlives the container; resolved on the host, whose working directory is the module. */
    private static final File KARAF_LOG = new File("target/karaf.log");
    private static final Duration LISTENER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

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
            systemProperty(PORT_PROPERTY).value(String.valueOf(chatPort)),
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
        while (!accepts(chatPort())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("The chat listener did not accept on " + HOST + ":" + chatPort()
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
            assertEquals(String.valueOf(chatPort()), String.valueOf(configuration.properties.get("port")));
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

    private Bundle serverBundle() {
        return Arrays.stream(bundleContext.getBundles())
                .filter(b -> SERVER_BUNDLE.equals(b.getSymbolicName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("bundle " + SERVER_BUNDLE + " is not installed"));
    }

    private static ChatClient loggedIn(String uuid) throws IOException, TimeoutException, InterruptedException {
        ChatClient client = ChatClient.connect(HOST, chatPort());
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

    private static int chatPort() {
        return Integer.parseInt(System.getProperty(PORT_PROPERTY));
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
