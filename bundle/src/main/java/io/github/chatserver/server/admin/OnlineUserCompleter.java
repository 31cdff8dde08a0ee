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

/** Completes the uuids of users logged in on this node (at most {@link #MAX_CANDIDATES}, by prefix). */
@Service
public class OnlineUserCompleter implements Completer {
    private static final Logger LOG = LoggerFactory.getLogger(OnlineUserCompleter.class);
    static final int MAX_CANDIDATES = 50;

    @Reference
    ChatAdmin admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        String argument = commandLine.getCursorArgument();
        String prefix = argument == null ? "" : argument.substring(0, commandLine.getArgumentPosition());
        StringsCompleter delegate = new StringsCompleter();
        try {
            delegate.getStrings().addAll(admin.onlineUsers(prefix, MAX_CANDIDATES));
        } catch (RuntimeException e) {
            LOG.debug("No uuid completion: {}", e.toString()); // completion is a convenience; the command reports errors
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
