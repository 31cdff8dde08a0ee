package io.github.chatserver.server.admin;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/** Closes a user's session on this node; the user may log in again. */
@Command(scope = "chat", name = "kick",
        description = "Closes a user's session on this node only (not on other nodes of a cluster); the user may log in again.")
@Service
@Parsing(ChatArgumentsParser.class) // user names with spaces complete quoted
public class KickCommand implements Action {

    @Argument(index = 0, name = "uuid", description = "The uuid of a user logged in on this node", required = true, multiValued = false)
    @Completion(OnlineUserCompleter.class)
    String uuid;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        if (admin.kick(uuid)) {
            session.getConsole().println("Session of " + uuid + " on this node closed.");
        } else {
            session.getConsole().println("No session of " + uuid + " on this node; nothing closed (other nodes are not asked).");
        }
        return null;
    }
}
