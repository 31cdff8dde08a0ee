package io.github.chatserver.server.admin;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes group ids by prefix: those of the user named by {@code --user} when the command line has
 * one, else a bounded SCAN of Redis (at most {@link #MAX_CANDIDATES}).
 */
@Service
public class GroupCompleter implements Completer {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCompleter.class);
    static final int MAX_CANDIDATES = 50;

    @Reference
    ChatAdmin admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        String argument = commandLine.getCursorArgument();
        String prefix = argument == null ? "" : argument.substring(0, commandLine.getArgumentPosition());
        StringsCompleter delegate = new StringsCompleter();
        try {
            String user = userOption(commandLine.getArguments());
            List<String> ids = user == null ? admin.groupIds(prefix, MAX_CANDIDATES)
                    : admin.groupsOf(user).stream().map(g -> g.id()).filter(id -> id.startsWith(prefix)).toList();
            delegate.getStrings().addAll(ids);
        } catch (RuntimeException e) {
            LOG.debug("No group id completion: {}", e.toString()); // completion is a convenience; the command reports errors
        }
        return delegate.complete(session, commandLine, candidates);
    }

    private static String userOption(String[] arguments) {
        for (int i = 0; i + 1 < arguments.length; i++) {
            if ("--user".equals(arguments[i]) || "-u".equals(arguments[i])) {
                return arguments[i + 1];
            }
        }
        return null;
    }
}
