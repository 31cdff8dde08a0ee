package io.github.chatserver.server.admin;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/** Removes a user; its session on this node is closed and messages to it are refused. */
@Command(scope = "chat", name = "user-remove",
        description = "Removes a chat user: its registration and its known-user mark; closes its session on this node.")
@Service
@Parsing(ChatArgumentsParser.class) // user names with spaces complete quoted
public class UserRemoveCommand implements Action {

    @Argument(index = 0, name = "uuid", description = "The uuid of the user to remove", required = true, multiValued = false)
    @Completion(UserCompleter.class)
    String uuid;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        admin.removeUser(uuid);
        session.getConsole().println("User " + uuid + " removed.");
        return null;
    }
}
