package io.github.chatserver.server.admin;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/** Completes the uuids of registered users (at most {@link #MAX_CANDIDATES}, by prefix). */
@Service
public class UserCompleter implements Completer {
    static final int MAX_CANDIDATES = Completions.MAX_CANDIDATES;

    @Reference
    ChatAdmin admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return Completions.complete(session, commandLine, candidates,
                prefix -> admin.users(prefix, MAX_CANDIDATES), "uuid");
    }
}
