package io.github.chatserver.server.admin;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import io.github.chatserver.server.storage.ConsoleQueries.QueueSummary;
import io.github.chatserver.server.storage.GroupRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

        final List<String> kicked = new ArrayList<>();

        @Override
        public ServerStatus status() {
            return new ServerStatus("node-1", List.of("plain 127.0.0.1:8989 (cipher legacy-aes)"), "redis://127.0.0.1:6379",
                    null, "no answer to PING within 2000 ms", 3, 7, 2, Instant.now().minusSeconds(3725), "0.1.0");
        }

        @Override
        public List<SessionInfo> sessions(String user) {
            return List.of(new SessionInfo("alice", "127.0.0.1:40000", true, 1_700_000_000_000L, 5, 6, 100, 200, 0));
        }

        @Override
        public List<String> onlineUsers(String prefix, int max) {
            return List.of("alice");
        }

        @Override
        public boolean kick(String uuid) {
            kicked.add(uuid);
            return uuid.equals("alice");
        }

        @Override
        public StatsReport stats() {
            return new StatsReport(Duration.ofSeconds(10), false, List.of(new StatsReport.Line("LOGINS_OK", 20, 1.5),
                    new StatsReport.Line("REDIS_ERRORS", 0, 0)));
        }

        @Override
        public List<GroupRecord> groupsOf(String user) {
            return List.of();
        }

        @Override
        public List<GroupRecord> scanGroups(int max) {
            return List.of(new GroupRecord("AAAAAAAAAAAAAAAAAAAAAA", "friends", "alice", 1_700_000_000L, Set.of("alice", "bob")));
        }

        @Override
        public List<String> groupIds(String prefix, int max) {
            return List.of();
        }

        @Override
        public GroupRecord group(String id) {
            return scanGroups(1).get(0);
        }

        @Override
        public OfflineSummary offline(String uuid) {
            long seq = (System.currentTimeMillis() - 90_000) * 1000;
            return new OfflineSummary(uuid, new QueueSummary(2, seq, seq + 30_000_000), new QueueSummary(0, 0, 0));
        }
    }

    private String output() {
        return console.toString(StandardCharsets.UTF_8);
    }

    @Test
    void kickSaysThatOnlyThisNodeWasAsked() throws Exception {
        KickCommand command = new KickCommand();
        command.admin = admin;
        command.session = session;
        command.uuid = "alice";
        command.execute();
        command.uuid = "bob";
        command.execute();

        assertEquals(List.of("alice", "bob"), admin.kicked);
        assertTrue(output().contains("Session of alice on this node closed."), output());
        assertTrue(output().contains("No session of bob on this node"), output());
    }

    @Test
    void statusStatsOfflineAndGroupsPrintTables() throws Exception {
        StatusCommand status = new StatusCommand();
        status.admin = admin;
        status.session = session;
        status.execute();
        StatsCommand stats = new StatsCommand();
        stats.admin = admin;
        stats.session = session;
        stats.execute();
        OfflineCommand offline = new OfflineCommand();
        offline.admin = admin;
        offline.session = session;
        offline.uuid = "carol";
        offline.execute();
        GroupsCommand groups = new GroupsCommand();
        groups.admin = admin;
        groups.session = session;
        groups.execute();

        String out = output();
        assertTrue(out.contains("DOWN: no answer to PING"), out);
        assertTrue(out.contains("3 now, 7 at peak"), out);
        assertTrue(out.contains("1h02m05s") || out.contains("1h02m06s"), out);
        assertTrue(out.matches("(?s).*LOGINS_OK\\s*\\|\\s*20\\s*\\|\\s*1\\.50.*"), out);
        assertFalse(out.contains("REDIS_ERRORS"), "counters at 0 only with --all: " + out);
        assertTrue(out.matches("(?s).*one-to-one\\s*\\|\\s*2\\s*\\|.*\\|\\s*1m3[01]s\\s*\\|.*\\|\\s*1m0[01]s.*"), out);
        assertTrue(out.contains("friends") && out.contains("not necessarily all"), out);
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
        for (Class<?> type : List.of(UserAddCommand.class, UserPasswdCommand.class, UserRemoveCommand.class, TokenCommand.class,
                StatusCommand.class, SessionsCommand.class, KickCommand.class, StatsCommand.class, GroupsCommand.class,
                GroupCommand.class, OfflineCommand.class)) {
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
