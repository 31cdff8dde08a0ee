package io.github.chatserver.itest;

import static io.github.chatserver.itest.ChatListener.HOST;
import static io.github.chatserver.itest.ChatListener.accepts;
import static io.github.chatserver.itest.ChatListener.configuredPort;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.inject.Inject;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The operations commands and the metrics MBean in a real Karaf, after real traffic: two users log
 * in, one message goes online and one is stored, a group is built; then every chat: command of the
 * console runs and the MBean is read from the platform MBean server.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConsoleCommandsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final String OBJECT_NAME = "io.github.chatserver:type=ChatServer,name=metrics";
    private static final Set<String> COMMANDS = Set.of("status", "sessions", "kick", "stats", "groups", "group", "offline");

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        return new ChatServerIT().config();
    }

    @Before
    public void awaitServerCommandsAndMBean() throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!accepts(configuredPort()) || !commandsRegistered()
                || !ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(OBJECT_NAME))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No chat listener on " + configuredPort() + ", no chat: operations commands or no MBean "
                        + OBJECT_NAME + " within " + STARTUP + "; see itest/target/karaf.log");
            }
            Thread.sleep(100); // poll interval until the deadline
        }
    }

    @Test
    public void everyCommandAndTheMBeanShowTheTraffic() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String alice = "alice-" + run;
        String bob = "bob-" + run;
        String carol = "carol-" + run;
        try (ChatClient a = ChatClient.connect(HOST, configuredPort()); ChatClient b = ChatClient.connect(HOST, configuredPort())) {
            assertTrue(a.login(alice).getLogin());
            assertTrue(b.login(bob).getLogin());
            a.send(PbC2CTextChat.newBuilder().setFromUuid(alice).setToUuid(bob).setTextMsg("hi")
                    .setTimestamp(ChatClient.now()).build());
            b.receive(PbC2CTextChat.class, TIMEOUT);
            a.send(PbC2CTextChat.newBuilder().setFromUuid(alice).setToUuid(carol).setTextMsg("later")
                    .setTimestamp(ChatClient.now()).build());
            a.send(PbClientBuildGroup.newBuilder().setGroupName("ops-" + run).setTimestamp(ChatClient.now()).build());
            String groupId = a.receive(PbServerNotifyBuildGroup.class, TIMEOUT).getGroupId();

            String status = execute("chat:status");
            assertTrue(status, status.contains("plain " + HOST + ":" + configuredPort()));
            assertTrue(status, Pattern.compile("Redis .*\\(up, PING [0-9.]+ ms\\)").matcher(status).find());
            assertTrue(status, status.contains(System.getProperty("chatserver.itest.version").replace("-SNAPSHOT", ".SNAPSHOT")));

            String sessions = execute("chat:sessions --user " + alice);
            assertTrue(sessions, Pattern.compile(Pattern.quote(alice) + "\\s*\\|\\s*127\\.0\\.0\\.1:\\d+\\s*\\|[^|]+\\|\\s*4\\s*\\|")
                    .matcher(sessions).find());
            assertTrue(execute("chat:sessions"), execute("chat:sessions").contains(bob));

            String groups = execute("chat:groups --user " + alice);
            assertTrue(groups, groups.contains(groupId) && groups.contains("ops-" + run));
            assertTrue(execute("chat:groups --limit 1000").contains(groupId));
            String group = execute("chat:group " + groupId);
            assertTrue(group, group.contains(alice + " (owner)") && group.contains("ops-" + run));

            String offline = waitFor("chat:offline " + carol, Pattern.compile("one-to-one\\s*\\|\\s*1\\s*\\|"));
            assertTrue(offline, Pattern.compile("group\\s*\\|\\s*0\\s*\\|").matcher(offline).find());

            String stats = execute("chat:stats");
            assertTrue(stats, Pattern.compile("LOGINS_OK\\s*\\|\\s*[1-9]\\d*\\s*\\|").matcher(stats).find());
            assertTrue(stats, Pattern.compile("MESSAGES_ONLINE\\s*\\|\\s*[1-9]\\d*\\s*\\|").matcher(stats).find());

            MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(OBJECT_NAME);
            assertTrue((Long) mbeans.getAttribute(name, "LoginsOk") >= 2);
            assertTrue((Long) mbeans.getAttribute(name, "MessagesOnline") >= 1);
            assertTrue((Long) mbeans.getAttribute(name, "MessagesOffline") >= 1);
            assertTrue((Integer) mbeans.getAttribute(name, "ConnectionsOpen") >= 2);
            assertTrue((Integer) mbeans.getAttribute(name, "ConnectionsPeak") >= 2);
            assertTrue((Integer) mbeans.getAttribute(name, "SessionsLoggedIn") >= 2);
            assertEquals(0, (int) (Integer) mbeans.getAttribute(name, "RetryBufferSize"));
            assertEquals(Boolean.TRUE, mbeans.getAttribute(name, "Running"));
            TabularData counters = (TabularData) mbeans.getAttribute(name, "Counters");
            CompositeData logins = counters.get(new Object[] {"LOGINS_OK"});
            assertTrue(String.valueOf(logins), (Long) logins.get("value") >= 2);
            TabularData violations = (TabularData) mbeans.getAttribute(name, "Violations");
            assertTrue(violations.containsKey(new Object[] {"FRAME_LENGTH"}));

            long kicksBefore = kicks(mbeans, name);
            String kick = execute("chat:kick " + bob);
            assertTrue(kick, kick.contains("Session of " + bob + " on this node closed."));
            assertTrue("kicked", b.awaitClosed(TIMEOUT));
            assertEquals(kicksBefore + 1, kicks(mbeans, name));
        }
    }

    /** The original clients' uuids have spaces: quoted, they pass through the chat: commands' own parser. */
    @Test
    public void aUserNameWithSpacesIsPassedQuoted() throws Exception {
        String name = "hello, 我是一个java程序 " + UUID.randomUUID().toString().substring(0, 8);
        try (ChatClient c = ChatClient.connect(HOST, configuredPort())) {
            assertTrue(c.login(name).getLogin());

            String sessions = execute("chat:sessions --user '" + name + "'");
            assertTrue(sessions, sessions.contains(name) && sessions.contains("127.0.0.1"));
            String kick = execute("chat:kick \"" + name + "\"");
            assertTrue(kick, kick.contains("Session of " + name + " on this node closed."));
            assertTrue("kicked", c.awaitClosed(TIMEOUT));
        }
    }

    private static long kicks(MBeanServer mbeans, ObjectName name) throws Exception {
        TabularData counters = (TabularData) mbeans.getAttribute(name, "Counters");
        return (Long) counters.get(new Object[] {"ADMIN_KICKS"}).get("value");
    }

    /** Stored messages are written asynchronously: run the command until its output matches (bounded). */
    private String waitFor(String command, Pattern expected) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String output = execute(command);
        while (!expected.matcher(output).find()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(command + " never matched " + expected + ":\n" + output);
            }
            Thread.sleep(100); // poll interval until the deadline
            output = execute(command);
        }
        return output;
    }

    private String execute(String command) throws Exception {
        return KarafConsole.execute(sessionFactory, command);
    }

    private boolean commandsRegistered() {
        return KarafConsole.chatCommandsRegistered(sessionFactory, COMMANDS);
    }
}
