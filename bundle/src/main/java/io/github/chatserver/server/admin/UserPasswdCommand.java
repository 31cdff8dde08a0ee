package io.github.chatserver.server.admin;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/** Sets a new password for a registered user; typed at the console, masked. */
@Command(scope = "chat", name = "user-passwd",
        description = "Sets a new password for a registered chat user. The password is read from the console without echo.")
@Service
@Parsing(ChatArgumentsParser.class) // user names with spaces complete quoted
public class UserPasswdCommand implements Action {

    @Argument(index = 0, name = "uuid", description = "The uuid of a registered user", required = true, multiValued = false)
    @Completion(UserCompleter.class)
    String uuid;

    @Reference
    ChatAdmin admin;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        Passwords.setNew(session, admin, uuid, password -> admin.changePassword(uuid, password), "Password of " + uuid + " changed.");
        return null;
    }
}
