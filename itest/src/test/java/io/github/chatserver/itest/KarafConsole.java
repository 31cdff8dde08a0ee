package io.github.chatserver.itest;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.console.Command;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/** Console commands run in the container's own shell, as an operator types them. */
final class KarafConsole {
    private KarafConsole() {
    }

    /** Runs one command line and returns what it printed (out and err). */
    static String execute(SessionFactory sessions, String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             Session session = sessions.create(System.in, out, out)) {
            session.execute(command);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Whether every one of these {@code chat:} commands is registered (they appear after the bundle starts). */
    static boolean chatCommandsRegistered(SessionFactory sessions, Collection<String> names) {
        Set<String> chat = sessions.getRegistry().getCommands().stream()
                .filter(c -> "chat".equals(c.getScope())).map(Command::getName).collect(Collectors.toSet());
        return chat.containsAll(names);
    }
}
