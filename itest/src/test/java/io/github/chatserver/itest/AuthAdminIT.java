package io.github.chatserver.itest;

import static io.github.chatserver.itest.ChatListener.HOST;
import static io.github.chatserver.itest.ChatListener.accepts;
import static io.github.chatserver.itest.ChatListener.configuredPort;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.protocol.PbServerAcceptLogin;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import javax.inject.Inject;
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
 * The chat: console commands in a real Karaf, on a server in authMode token: the commands are
 * registered from the server bundle (Karaf-Commands) and reach the running server through its
 * ChatAdmin service; a token printed by {@code chat:token} logs in, an altered one does not, and
 * {@code chat:user-remove} (which opens the console's own Redis connection inside OSGi) closes
 * the user's session.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuthAdminIT {
    private static final String CONFIG_FILE = "etc/io.github.chatserver.cfg";
    private static final String SECRET = "itest-token-secret-" + "x".repeat(32);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @Inject
    private SessionFactory sessionFactory;

    /** The same Karaf as {@link ChatServerIT}, with the server in token mode from the start. */
    @Configuration
    public Option[] config() {
        return Stream.concat(Arrays.stream(new ChatServerIT().config()), Stream.of(
                editConfigurationFilePut(CONFIG_FILE, "authMode", "token"),
                editConfigurationFilePut(CONFIG_FILE, "tokenSecret", SECRET))).toArray(Option[]::new);
    }

    /** The listener and the commands appear some time after the feature is installed. */
    @Before
    public void awaitServerAndCommands() throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!accepts(configuredPort()) || !commandsRegistered()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No chat listener on " + configuredPort() + " or no chat: commands within "
                        + STARTUP + "; see itest/target/karaf.log");
            }
            Thread.sleep(100); // poll interval until the deadline
        }
    }

    @Test
    public void aTokenFromTheConsoleLogsInAndAnAlteredOneDoesNot() throws Exception {
        String alice = "alice." + UUID.randomUUID();
        String token = execute("chat:token " + alice + " 600").trim();
        assertTrue("a token for " + alice + ": " + token, token.startsWith(alice + "."));
        String altered = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");

        try (ChatClient refused = ChatClient.connect(HOST, configuredPort());
             ChatClient accepted = ChatClient.connect(HOST, configuredPort())) {
            PbServerAcceptLogin no = refused.login(alice, altered);
            assertFalse(no.getLogin());
            assertEquals("invalid credentials", no.getTipsMsg());
            assertTrue(refused.awaitClosed(TIMEOUT));
            assertTrue(accepted.login(alice, token).getLogin());
        }
    }

    @Test
    public void removingAUserClosesItsSession() throws Exception {
        String bob = "bob-" + UUID.randomUUID();
        try (ChatClient client = ChatClient.connect(HOST, configuredPort())) {
            assertTrue(client.login(bob, execute("chat:token " + bob).trim()).getLogin());

            String output = execute("chat:user-remove " + bob);

            assertTrue(output, output.contains("User " + bob + " removed."));
            assertTrue("the session of a removed user is closed", client.awaitClosed(TIMEOUT));
        }
    }

    private String execute(String command) throws Exception {
        return KarafConsole.execute(sessionFactory, command);
    }

    private boolean commandsRegistered() {
        return KarafConsole.chatCommandsRegistered(sessionFactory, Set.of("user-add", "user-remove", "user-passwd", "token"));
    }
}
