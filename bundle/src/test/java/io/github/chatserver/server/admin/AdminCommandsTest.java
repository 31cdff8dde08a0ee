package io.github.chatserver.server.admin;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console actions: passwords typed masked and twice, never an argument; every argument described. */
class AdminCommandsTest {
    private final Deque<String> typed = new ArrayDeque<>();
    private final List<Character> masks = new ArrayList<>();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final FakeAdmin admin = new FakeAdmin();
    private final Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                case "readLine" -> {
                    masks.add((Character) args[1]);
                    yield typed.poll();
                }
                case "getConsole" -> new PrintStream(console, true, StandardCharsets.UTF_8);
                default -> throw new UnsupportedOperationException(method.getName());
            });

    /** Records what the commands asked for. */
    static final class FakeAdmin implements ChatAdmin {
        String mode = "password";
        final Map<String, char[]> added = new HashMap<>();
        final Map<String, char[]> changed = new HashMap<>();
        final List<String> removed = new ArrayList<>();

        @Override
        public String authMode() {
            return mode;
        }

        @Override
        public void addUser(String uuid, char[] password) {
            added.put(uuid, password.clone());
        }

        @Override
        public void changePassword(String uuid, char[] password) {
            changed.put(uuid, password.clone());
        }

        @Override
        public void removeUser(String uuid) {
            removed.add(uuid);
        }

        @Override
        public String mintToken(String uuid, long ttlSeconds) {
            return uuid + "." + ttlSeconds + ".sig";
        }

        @Override
        public List<String> users(String prefix, int max) {
            return List.of(prefix + "1", prefix + "2");
        }
    }

    private String output() {
        return console.toString(StandardCharsets.UTF_8);
    }

    @Test
    void userAddReadsThePasswordTwiceMasked() throws Exception {
        UserAddCommand command = new UserAddCommand();
        command.uuid = "alice";
        command.admin = admin;
        command.session = session;
        typed.add("alice-password");
        typed.add("alice-password");

        command.execute();

        assertArrayEquals("alice-password".toCharArray(), admin.added.get("alice"));
        assertEquals(List.of('*', '*'), masks);
        assertTrue(output().contains("User alice added."), output());
        assertFalse(output().contains("alice-password"), "the password is never echoed");
    }

    @Test
    void differentRepetitionsChangeNothing() {
        UserPasswdCommand command = new UserPasswdCommand();
        command.uuid = "bob";
        command.admin = admin;
        command.session = session;
        typed.add("bob-password");
        typed.add("bob-passwort");

        assertThrows(IllegalArgumentException.class, command::execute);
        assertTrue(admin.changed.isEmpty());
    }

    @Test
    void endOfInputChangesNothing() {
        UserAddCommand command = new UserAddCommand();
        command.uuid = "carol";
        command.admin = admin;
        command.session = session;

        assertThrows(IllegalArgumentException.class, command::execute);
        assertTrue(admin.added.isEmpty());
    }

    @Test
    void tokenPrintsTheTokenAndNotesAModeThatDoesNotUseIt() throws Exception {
        TokenCommand command = new TokenCommand();
        command.uuid = "dave";
        command.admin = admin;
        command.session = session;

        command.execute();

        assertTrue(output().contains("dave.3600.sig"), output());
        assertTrue(output().contains("authMode is password"), output());
    }

    @Test
    void userRemoveRemoves() throws Exception {
        UserRemoveCommand command = new UserRemoveCommand();
        command.uuid = "erin";
        command.admin = admin;
        command.session = session;

        command.execute();

        assertEquals(List.of("erin"), admin.removed);
    }

    @Test
    void noCommandTakesAPasswordAsArgumentOrOptionAndEveryOneIsDescribed() {
        for (Class<?> type : List.of(UserAddCommand.class, UserPasswdCommand.class, UserRemoveCommand.class, TokenCommand.class)) {
            Command command = type.getAnnotation(Command.class);
            assertNotNull(type.getAnnotation(Service.class), type.getName());
            assertEquals("chat", command.scope());
            assertFalse(command.description().isBlank());
            for (var field : type.getDeclaredFields()) {
                Argument argument = field.getAnnotation(Argument.class);
                Option option = field.getAnnotation(Option.class);
                String name = argument != null ? argument.name() : option != null ? option.name() : null;
                if (name != null) {
                    assertFalse(name.toLowerCase().contains("pass"), type.getSimpleName() + " takes " + name);
                    assertFalse((argument != null ? argument.description() : option.description()).isBlank(),
                            type.getSimpleName() + "." + name + " is described");
                }
            }
        }
    }
}
