package io.github.chatserver.server.admin;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/**
 * Completes group ids by prefix: those of the user named by {@code --user} when the command line has
 * one, else a bounded SCAN of Redis (at most {@link #MAX_CANDIDATES}).
 */
@Service
public class GroupCompleter implements Completer {
    static final int MAX_CANDIDATES = Completions.MAX_CANDIDATES;

    @Reference
    ChatAdmin admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        String user = userOption(commandLine.getArguments());
        return Completions.complete(session, commandLine, candidates, prefix -> user == null
                ? admin.groupIds(prefix, MAX_CANDIDATES)
                : admin.groupsOf(user).stream().map(g -> g.id()).filter(id -> id.startsWith(prefix)).toList(),
                "group id");
    }

    private static String userOption(String[] arguments) {
        for (int i = 0; i + 1 < arguments.length; i++) {
            if ("--user".equals(arguments[i]) || "-u".equals(arguments[i])) {
                return ShellQuoting.literal(arguments[i + 1]); // as typed, quotes included
            }
        }
        return null;
    }
}
