package io.github.chatserver.server;

import io.github.chatserver.client.ChatClient;
import io.github.chatserver.server.admin.ChatArgumentsParser;
import io.github.chatserver.server.admin.GroupsCommand;
import io.github.chatserver.server.admin.KickCommand;
import io.github.chatserver.server.admin.OfflineCommand;
import io.github.chatserver.server.admin.OnlineUserCompleter;
import io.github.chatserver.server.admin.SessionsCommand;
import io.github.chatserver.server.admin.UserCompleter;
import io.github.chatserver.testing.RedisExtension;
import io.github.chatserver.testing.RedisServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.impl.action.command.ManagerImpl;
import org.apache.karaf.shell.impl.console.CommandsCompleter;
import org.apache.karaf.shell.impl.console.SessionFactoryImpl;
import org.apache.karaf.shell.impl.console.parsing.KarafParser;
import org.apache.karaf.shell.support.CommandException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Size;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * User names with spaces on the console: the chat: commands in Karaf's own shell and line editor
 * (run outside OSGi, as Karaf's standalone shell does), against a real server and Redis. A quoted
 * name reaches the command as it is, and Tab completes a name so that the line runs as completed.
 */
@ExtendWith(RedisExtension.class)
class ConsoleQuotingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final ChatServerComponent component = new ChatServerComponent();
    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final List<ChatClient> clients = new ArrayList<>();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private SessionFactoryImpl shell;
    private Session console;

    @BeforeEach
    void start(RedisServer redis) throws Exception {
        component.activate(ChatServerComponentTest.config(Map.of("port", 0, "redisAddress", redis.address())));
        threadIO.start();
        shell = new SessionFactoryImpl(threadIO);
        shell.getRegistry().register(component);
        ManagerImpl commands = new ManagerImpl(shell, shell, true);
        for (Class<?> type : List.of(ChatArgumentsParser.class, OnlineUserCompleter.class, UserCompleter.class,
                KickCommand.class, SessionsCommand.class, GroupsCommand.class, OfflineCommand.class)) {
            commands.register(type);
        }
        console = shell.create(new ByteArrayInputStream(new byte[0]), new PrintStream(printed, true, StandardCharsets.UTF_8),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        clients.forEach(ChatClient::close);
        console.close();
        shell.stop();
        threadIO.stop();
        component.deactivate();
    }

    @Test
    void aQuotedNameReachesTheCommandAsItIs() throws Exception {
        ChatClient java = login("hello, 我是一个java程序");
        ChatClient zhang = login("张 三");
        login("😀 smile");

        assertTrue(run("chat:sessions --user \"hello, 我是一个java程序\"").contains("hello, 我是一个java程序"), printed());
        assertTrue(run("chat:offline '😀 smile'").contains("one-to-one"), printed());
        assertTrue(run("chat:groups -u '😀 smile'").contains("😀 smile is in no group"), printed());
        assertThrows(CommandException.class, () -> run("chat:kick 张 三"), "unquoted, it is two arguments");
        assertTrue(zhang.isConnected());

        String both = run("chat:sessions --user '张 三'; chat:kick '张 三'");
        assertTrue(both.contains("127.0.0.1") && both.contains("Session of 张 三 on this node closed."), both);
        assertTrue(zhang.awaitClosed(WAIT));
        assertTrue(run("chat:kick \"hello, 我是一个java程序\"").contains("closed"), printed());
        assertTrue(java.awaitClosed(WAIT));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = { // name | typed, then Tab | the line Enter runs
        "hello, 我是一个java程序 | chat:kick hel     | `chat:kick hello,' 我是一个java程序' `",
        "hello, 我是一个java程序 | chat:kick \"hel   | `chat:kick \"hello, 我是一个java程序\" `",
        "张 三                   | chat:kick '张     | `chat:kick '张 三' `",
        "😀 smile                | chat:kick 😀      | `chat:kick 😀' smile' `",
        // completed as 'cost $5; 50% \\\\o/': the line editor takes one level of backslashes
        "cost $5; 50% \\o/      | chat:kick 'cost   | `chat:kick 'cost $5; 50% \\o/' `",
        "a & b \\ c             | chat:kick a       | `chat:kick a' & b \\ c' `",
        "plain-name              | chat:kick plain   | `chat:kick plain-name `",
        "张 三 空                | `chat:kick `      | `chat:kick '张 三 空' `"})
    void tabCompletesANameSoThatTheLineRunsAsCompleted(String name, String typed, String completed) throws Exception {
        ChatClient client = login(name);

        String line = typeInTheConsole(typed + "\t\r");

        assertEquals(completed, line);
        assertTrue(run(line).contains("Session of " + name + " on this node closed."), printed());
        assertTrue(client.awaitClosed(WAIT));
    }

    @Test
    void tabCompletesAnOptionValueAndOffersNoNameThatCannotBeTyped() throws Exception {
        login("😀 two words");
        ChatClient apostrophe = login("it's me");

        assertEquals("chat:groups --user '😀 two words' ", typeInTheConsole("chat:groups --user '😀\t\r"));
        assertEquals("chat:groups --user '😀 two words' ", typeInTheConsole("chat:groups --user \t\r"));
        assertEquals("chat:groups --user ", typeInTheConsole("chat:groups --us\t\r"), "options still complete");
        assertEquals("chat:kick it", typeInTheConsole("chat:kick it\t\r"));
        assertTrue(apostrophe.isConnected());
    }

    private ChatClient login(String uuid) throws Exception {
        ChatClient client = ChatClient.connect("127.0.0.1", component.server().localAddress().getPort());
        clients.add(client);
        assertTrue(client.login(uuid).getLogin(), uuid);
        return client;
    }

    /** Runs a line as the console does after Enter, and returns what it printed. */
    private String run(String line) throws Exception {
        printed.reset();
        console.execute(line);
        return printed();
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** Keys typed into Karaf's line editor (its parser and completers, as in the console); the line it accepts. */
    private String typeInTheConsole(String keys) throws Exception {
        ByteArrayInputStream in = new ByteArrayInputStream(keys.getBytes(StandardCharsets.UTF_8));
        try (DumbTerminal terminal = new DumbTerminal("test", "ansi", in, new ByteArrayOutputStream(), StandardCharsets.UTF_8)) {
            terminal.setSize(new Size(200, 40));
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).parser(new KarafParser(console))
                    .completer(new CommandsCompleter(shell, console)).build();
            return reader.readLine("karaf> ");
        }
    }
}
